"""Published JWE examples, transcribed as data, to check our stages against.

The keys here are published in RFCs: anyone can read them. They are DEMO keys, for
reproducing the examples only.
"""

from .rfc7516 import RFC7516_A1, PublishedExample

__all__ = ["RFC7516_A1", "PublishedExample"]
