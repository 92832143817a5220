"""Teaching implementations of the primitives inside JWE, every intermediate value recorded.

Built only on the AES block cipher (``cryptography``'s AES in ECB mode, one block at a time),
:mod:`hashlib`, :mod:`hmac` and Python integers:

- :mod:`.gcm`        AES-GCM (NIST SP 800-38D): H, J0, counter and keystream blocks, GHASH, S, tag
- :mod:`.oaep`       RSAES-OAEP (RFC 8017 §7.1): lHash, PS, DB, seed, masks, EM, m, c
- :mod:`.aes_kw`     AES Key Wrap (RFC 3394 §2.2): the A and R registers at every step
- :mod:`.cbc_hmac`   AES_CBC_HMAC_SHA2 (RFC 7518 §5.2.2): key split, PKCS #7, CBC, AL, HMAC, T
- :mod:`.concat_kdf` the ECDH-ES Concat KDF (RFC 7518 §4.6.2): each OtherInfo field, each round
- :mod:`.pbes2`      PBES2 (RFC 7518 §4.8): the salt input and PBKDF2

Each function returns a result object with its outputs and ``.steps`` (a list of
:class:`jwe_steps.trace.Step`); ``result["H"]`` looks a step up by name. Tests prove every one
byte-identical to ``cryptography``. ``jwe_steps.encrypt(..., engine="from_scratch")`` runs a
whole token through them.

These are for learning: Python integers are not constant-time. Real data belongs with the
default engine.
"""

from . import aes_kw, cbc_hmac, concat_kdf, gcm, oaep, pbes2

__all__ = ["aes_kw", "cbc_hmac", "concat_kdf", "gcm", "oaep", "pbes2"]
