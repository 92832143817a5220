"""Renderers for traces. They read values from a Trace and never compute cryptography."""
