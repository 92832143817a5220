"""Published JWE examples, transcribed as data, to check our stages against.

Each published value is transcribed once, here; the notebooks, the exercises and the tests all
read it from this package:

- :mod:`.rfc7516`: RFC 7516 Appendix A.1 (RSA-OAEP + A256GCM), as ``RFC7516_A1``.
- :mod:`.rfc7516_json`: RFC 7516 Appendices A.2-A.5 (RSA1_5 / A128KW + A128CBC-HS256, compact,
  general and flattened JSON).
- :mod:`.rfc7517`: RFC 7517 Appendix C (PBES2-HS256+A128KW).
- :mod:`.rfc7518`: RFC 7518 Appendix B (AES_CBC_HMAC_SHA2) and Appendix C (ECDH-ES, Concat KDF).
- :mod:`.rfc3394`: RFC 3394 §4 (AES Key Wrap).
- :mod:`.rfc7520_keys` and :mod:`.rfc7520`: RFC 7520 §5's keys and its JWE examples 5.1-5.13.
- :mod:`.rfc7638`: RFC 7638 §3.1 (JWK thumbprint).
- :mod:`.rfc7515`: RFC 7515 Appendix A.1-A.4 and RFC 7520 §4.1-4.4 (JWS), and RFC 7519 A.2
  (a nested JWT).

The keys here are published in RFCs: anyone can read them. They are DEMO keys, for
reproducing the examples only.
"""

from .rfc7516 import RFC7516_A1, PublishedExample

__all__ = ["RFC7516_A1", "PublishedExample"]
