"""AES-CBC with HMAC-SHA-2: RFC 7518 §5.2 (A128CBC-HS256, A192CBC-HS384, A256CBC-HS512).

Encrypt-then-MAC, following §5.2.2.1:

1. MAC_KEY = the first half of the CEK, ENC_KEY = the second half.
2. IV: 128 random bits.
3. E = AES-CBC(ENC_KEY, IV, P with PKCS #7 padding).
4. AL = the bit length of the AAD as a 64-bit big-endian integer.
5. M = HMAC-SHA-2(MAC_KEY, A || IV || E || AL).
6. T = the first half of M.

Decryption (§5.2.2.2) checks T in constant time *before* it decrypts anything. A large compact
token is streamed (:meth:`AESCBCHMAC.decrypt_pieces`): each decoded piece of the ciphertext goes
to the HMAC and to AES-CBC in one pass, and the decrypted bytes stay private (no padding looked
at, nothing returned) until T has verified.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..errors import DecryptionFailedError
from ..primitives import AES_BLOCK, CryptographyPrimitives, Record, cbc_hmac_open, cbc_hmac_seal
from . import ContentEncryption, ContentOpener, ContentSealer, Context, register

BLOCK_SIZE = AES_BLOCK


class AESCBCHMAC(ContentEncryption):
    """AES in CBC mode, authenticated by a truncated HMAC over AAD, IV, ciphertext and AL."""

    family = "aes_cbc_hmac"

    iv_size = BLOCK_SIZE
    rfc = "RFC 7518 §5.2"

    def __init__(self, aes_bits: int, hash_bits: int):
        self.name = f"A{aes_bits}CBC-HS{hash_bits}"
        self.key_size = 2 * aes_bits // 8  # MAC_KEY || ENC_KEY
        self.tag_size = aes_bits // 8  # T_LEN: HMAC output truncated to half
        self.hash_name = f"sha{hash_bits}"
        self.mac_hash = f"SHA-{hash_bits}"
        self.description = f"AES-{aes_bits} in CBC mode with HMAC-SHA-{hash_bits}"

    @property
    def cek_layout(self) -> tuple[tuple[str, int], ...]:
        """MAC_KEY then ENC_KEY, each half the CEK (§5.2.2.1 step 1)."""
        half = self.key_size // 2
        return (("MAC_KEY", half), ("ENC_KEY", half))

    def encrypt(
        self, cek: bytes, iv: bytes, plaintext: bytes, aad: bytes, ctx: Context
    ) -> tuple[bytes, bytes]:
        return ctx.primitives.cbc_hmac_encrypt(cek, iv, plaintext, aad, ctx.trace)

    def decrypt(
        self, cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes, ctx: Context
    ) -> bytes:
        result = ctx.primitives.cbc_hmac_decrypt(cek, iv, ciphertext, tag, aad, ctx.trace)
        if isinstance(result, str):
            raise _failure(result)
        return result

    def sealer(self) -> ContentSealer:
        return cbc_hmac_seal

    def opener(self) -> ContentOpener:
        return _open

    def decrypt_pieces(
        self,
        cek: bytes,
        iv: bytes,
        pieces: Iterable[bytes],
        length: int,
        whole: Callable[[], bytes],
        tag: bytes,
        aad: bytes,
        ctx: Context,
    ) -> bytes:
        primitives = ctx.primitives
        if not isinstance(primitives, CryptographyPrimitives):
            return super().decrypt_pieces(cek, iv, pieces, length, whole, tag, aad, ctx)
        result = primitives.cbc_hmac_decrypt_pieces(
            cek, iv, pieces, length, tag, aad, ctx.trace, whole
        )
        if isinstance(result, str):
            raise _failure(result)
        return result


def _open(
    cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes, record: Record
) -> bytes:
    """The one-call form of :meth:`AESCBCHMAC.decrypt` (ContentEncryption.opener)."""
    result = cbc_hmac_open(cek, iv, ciphertext, tag, aad, record)
    if isinstance(result, str):
        raise _failure(result)
    return result


def _failure(found: str) -> DecryptionFailedError:
    return DecryptionFailedError(
        "AES-CBC-HMAC authenticated decryption failed",
        code="decryption.failed",
        expected="an HMAC tag that verifies over AAD, IV and ciphertext, then valid padding",
        found=found,
        hint="Wrong key, or the header, IV, ciphertext or tag was altered. "
        "Run `jwe-steps explain` with your own key to find out which.",
    )


register(AESCBCHMAC(128, 256))
register(AESCBCHMAC(192, 384))
register(AESCBCHMAC(256, 512))
