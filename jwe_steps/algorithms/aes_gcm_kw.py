"""AES-GCM key wrapping: RFC 7518 §4.7 (A128GCMKW, A192GCMKW, A256GCMKW).

The CEK is encrypted with AES-GCM under the shared key, with an empty AAD. The 96-bit IV and
the 128-bit tag travel in the ``iv`` and ``tag`` header parameters (§4.7.1).
"""

from __future__ import annotations

import os
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..b64 import b64url_encode
from ..errors import KeyManagementError
from ..header import header_bytes
from . import ContentEncryption, Context, KeyManagement, Mode, WrappedKey, register
from .aes_kw import symmetric_key

if TYPE_CHECKING:
    from ..keys import Key

IV_SIZE = 12
TAG_SIZE = 16


class AESGCMKeyWrap(KeyManagement):
    """The CEK encrypted with AES-GCM under a shared key; IV and tag in the header."""

    family = "aes_gcm_kw"
    key_size: int

    mode = Mode.KEY_WRAPPING
    key_types = ("oct",)
    rfc = "RFC 7518 §4.7"
    header_params = ("iv", "tag")
    header_param_sizes = MappingProxyType({"iv": IV_SIZE, "tag": TAG_SIZE})
    encrypted_key_kind = "aes_gcm_ciphertext"

    def __init__(self, bits: int):
        self.name = f"A{bits}GCMKW"
        self.key_wrap = self.name
        self.key_size = bits // 8
        self.description = f"AES-GCM key wrapping with a shared {bits}-bit key"

    def wrap(
        self,
        key: Key,
        cek: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> WrappedKey:
        kek = symmetric_key(self, key, self.key_size)
        # §4.7.1.1: a fresh 96-bit IV, unless the caller fixed one to reproduce an example.
        iv = (
            header_bytes(header, "iv", alg=self.name, size=IV_SIZE)
            if "iv" in header
            else os.urandom(IV_SIZE)
        )
        ctx.trace.add(
            "key_wrap_iv",
            iv,
            f"the 96-bit IV for wrapping the CEK with {self.name}",
            "RFC 7518 §4.7.1.1",
        )
        # RFC 7518 §4.7: the content cipher AES-GCM itself, with an empty AAD.
        encrypted_key, tag = ctx.primitives.aes_gcm_encrypt(kek, iv, cek, b"", ctx.trace, "gcmkw.")
        ctx.trace.add(
            "key_wrap_tag",
            tag,
            "the 128-bit tag of the CEK encryption, sent as the 'tag' header parameter",
            "RFC 7518 §4.7.1.2",
            inputs=("cek", "key_wrap_iv"),
            operation="AES-GCM(KEK, iv, CEK, AAD = empty)",
        )
        return WrappedKey(cek, encrypted_key, {"iv": b64url_encode(iv), "tag": b64url_encode(tag)})

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> bytes:
        kek = symmetric_key(self, key, self.key_size)
        iv = ctx.trace.add(
            "key_wrap_iv",
            header_bytes(header, "iv", alg=self.name, size=IV_SIZE),
            "the key-wrap IV, from the 'iv' header parameter",
            "RFC 7518 §4.7.1.1",
        )
        tag = ctx.trace.add(
            "key_wrap_tag",
            header_bytes(header, "tag", alg=self.name, size=TAG_SIZE),
            "the key-wrap tag, from the 'tag' header parameter",
            "RFC 7518 §4.7.1.2",
        )
        cek = ctx.primitives.aes_gcm_decrypt(kek, iv, encrypted_key, tag, b"", ctx.trace, "gcmkw.")
        if cek is None:
            raise KeyManagementError(
                f"{self.name} decryption of the encrypted key failed",
                code="key_management.failed",
                expected="a 'tag' that verifies under this key",
                found="a tag that does not (wrong key, or iv, tag or encrypted key altered)",
            )
        return cek


for _bits in (128, 192, 256):
    register(AESGCMKeyWrap(_bits))
