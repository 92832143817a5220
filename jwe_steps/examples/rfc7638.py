"""RFC 7638 §3.1: the example RSA public key and its published JWK thumbprint, transcribed.

The key is RFC 7517 Appendix A.1's public key (a signing key: "alg": "RS256"), printed in the
RFC: a DEMO key. Only its public half exists.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..keys import Key, load_key

# RFC 7638 §3.1, the JWK whose thumbprint is computed (line breaks in "n" removed).
RFC7638_JWK: dict[str, Any] = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_B"
    "JECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FD"
    "W2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQ"
    "Fh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}

# RFC 7638 §3.1: the SHA-256 hash of the thumbprint input, as the RFC lists it (octets).
RFC7638_SHA256_OCTETS = bytes(
    [55, 54, 203, 177, 120, 124, 184, 48, 156, 119, 238, 140, 55, 5, 197, 225, 111, 251, 158,
     133, 151, 21, 144, 31, 30, 76, 89, 177, 17, 130, 245, 123]
)  # fmt: skip

# RFC 7638 §3.1: the resulting thumbprint, base64url-encoded.
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def rfc7638_demo_key() -> Key:
    """The RFC 7638 example public key, labelled as the DEMO key it is."""
    return replace(load_key(RFC7638_JWK), demo=True)
