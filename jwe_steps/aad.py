"""Additional Authenticated Data (RFC 7516 §5.1 step 14, §5.2 step 15)."""

from __future__ import annotations


def compute_aad(encoded_protected_header: str, encoded_aad: str | None = None) -> bytes:
    """ASCII(BASE64URL(UTF8(protected header))), plus ``'.' || BASE64URL(JWE AAD)`` when the
    JSON serialization carries an ``aad`` member.

    The encoded header must be the text exactly as sent: re-serializing the parsed JSON can
    change member order or spacing, and the tag would no longer verify.
    """
    text = (
        encoded_protected_header
        if encoded_aad is None
        else f"{encoded_protected_header}.{encoded_aad}"
    )
    return text.encode("ascii")
