"""Keys: load a JWK, JWKS, PEM key or X.509 certificate once, use it many times; make demo
keys; RFC 7638 thumbprints; key binding (RFC 7516 §5.2 step 7).

Loading validates the key (for an RSA private key that is the costly part), so parse once with
:func:`load_key` (or the explicit :meth:`Key.from_jwk`, :meth:`Key.from_pem`,
:meth:`Key.symmetric`, :meth:`Key.password`) and pass the result to every call. A key that
loads can be used: what would only fail later (an even RSA modulus, an OKP ``d`` that is not
the private half of its ``x``, a ``key_ops`` that is not an array...) is refused here, naming
the member.

One module per concern: ``key`` (the :class:`Key` and the checks every key passes), ``jwk``
(JWK members per key type), ``pem`` (PEM, X.509 certificates, ``cryptography`` objects),
``key_set`` (JWKS and ``kid`` selection), ``loading`` (:func:`load_key`, :func:`load_key_set`),
``generation`` (:func:`generate_key`) and ``binding`` (which key serves a token, and whether its
``alg``/``use``/``key_ops`` allow it).
"""

from __future__ import annotations

from .binding import (
    DECRYPT_OPERATIONS,
    ENCRYPT_OPERATIONS,
    check_key_allows,
    recipient_key,
    resolve_key,
)
from .generation import generate_key
from .key import DEMO_KID_PREFIX, MAX_RSA_BITS, MIN_RSA_BITS, AsymmetricKey, Key
from .key_set import KeySet, SkippedKey
from .loading import load_key, load_key_set
from .pem import Certificate

__all__ = [
    "DECRYPT_OPERATIONS",
    "DEMO_KID_PREFIX",
    "ENCRYPT_OPERATIONS",
    "MAX_RSA_BITS",
    "MIN_RSA_BITS",
    "AsymmetricKey",
    "Certificate",
    "Key",
    "KeySet",
    "SkippedKey",
    "check_key_allows",
    "generate_key",
    "load_key",
    "load_key_set",
    "recipient_key",
    "resolve_key",
]
