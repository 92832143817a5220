"""AES-GCM content encryption: RFC 7518 §5.3 (A128GCM, A192GCM, A256GCM)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import DecryptionFailedError
from ..primitives import (
    GCM_TAG_SIZE,
    STREAMING_FROM,
    CryptographyPrimitives,
    Record,
)
from . import ContentEncryption, ContentOpener, ContentSealer, Context, register

TAG_SIZE = GCM_TAG_SIZE

__all__ = ["STREAMING_FROM", "TAG_SIZE", "AESGCMContent"]


class AESGCMContent(ContentEncryption):
    """AES in Galois/Counter Mode with a 96-bit IV and a 128-bit tag."""

    family = "aes_gcm"

    iv_size = 12
    tag_size = TAG_SIZE
    rfc = "RFC 7518 §5.3"

    def __init__(self, bits: int):
        self.name = f"A{bits}GCM"
        self.key_size = bits // 8
        self.description = f"AES-{bits} in GCM mode"

    def encrypt(
        self, cek: bytes, iv: bytes, plaintext: bytes, aad: bytes, ctx: Context
    ) -> tuple[bytes, bytes]:
        return ctx.primitives.aes_gcm_encrypt(cek, iv, plaintext, aad, ctx.trace, "gcm.")

    def decrypt(
        self, cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes, ctx: Context
    ) -> bytes:
        plaintext = ctx.primitives.aes_gcm_decrypt(cek, iv, ciphertext, tag, aad, ctx.trace, "gcm.")
        if plaintext is None:
            raise _failure()
        return plaintext

    def sealer(self) -> ContentSealer:
        return _seal

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
        plaintext = primitives.aes_gcm_decrypt_pieces(cek, iv, pieces, tag, aad)
        if plaintext is None:
            raise _failure()
        return plaintext


# The one-call forms (ContentEncryption.sealer): the cryptography engine's AES-GCM records no
# steps of its own, so ``record`` goes unused.


def _seal(
    cek: bytes, iv: bytes, plaintext: bytes, aad: bytes, record: Record
) -> tuple[bytes, bytes]:
    # primitives.gcm_seal's two lines, here rather than called: this runs on every request.
    sealed = AESGCM(cek).encrypt(iv, plaintext, aad)
    return sealed[:-TAG_SIZE], sealed[-TAG_SIZE:]


def _open(
    cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes, record: Record
) -> bytes:
    try:  # primitives.gcm_open, here rather than called (as in _seal)
        return AESGCM(cek).decrypt(iv, ciphertext + tag, aad)
    except InvalidTag:
        raise _failure() from None


def _failure() -> DecryptionFailedError:
    return DecryptionFailedError(
        "AES-GCM authentication failed",
        code="decryption.failed",
        expected="a tag that verifies under the CEK, IV and AAD",
        found="a tag that does not",
        hint="Wrong key, or the header, IV, ciphertext or tag was altered. "
        "Run `jwe-steps explain` with your own key to find out which.",
    )


for _bits in (128, 192, 256):
    register(AESGCMContent(_bits))
