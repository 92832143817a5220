"""AES Key Wrap: RFC 7518 §4.4 (A128KW, A192KW, A256KW), the key wrap of RFC 3394.

The shared helpers :func:`wrap_cek` and :func:`unwrap_cek` are also the second half of
ECDH-ES+AxxxKW (§4.6) and PBES2-HSxxx+AxxxKW (§4.8), which derive the KEK first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InvalidKeyError, KeyManagementError
from ..primitives import CRYPTOGRAPHY
from ..trace import Trace
from . import ContentEncryption, Context, KeyManagement, Mode, WrappedKey, register
from ._checks import require_key_type

if TYPE_CHECKING:
    from ..keys import Key

# RFC 3394 §2.2.3.1: the default initial value that unwrapping must find again.
DEFAULT_IV = bytes.fromhex("A6A6A6A6A6A6A6A6")


def _engine(ctx: Context | None) -> tuple[Any, Trace]:
    """The primitives and trace of ``ctx``; without one, cryptography and a scratch trace."""
    if ctx is None:
        return CRYPTOGRAPHY, Trace("aes_kw")
    return ctx.primitives, ctx.trace


def wrap_cek(kek: bytes, cek: bytes, ctx: Context | None = None) -> bytes:
    """RFC 3394 §2.2.1: the CEK wrapped under ``kek`` (8 bytes longer than the CEK)."""
    primitives, trace = _engine(ctx)
    wrapped: bytes = primitives.aes_key_wrap(kek, cek, trace)
    return wrapped


def unwrap_cek(kek: bytes, wrapped: bytes, name: str, ctx: Context | None = None) -> bytes:
    """RFC 3394 §2.2.2: unwrap and check the integrity value, or raise KeyManagementError."""
    if len(wrapped) < 24 or len(wrapped) % 8:
        raise KeyManagementError(
            f"the {name} encrypted key has an impossible length",
            code="key_management.encrypted_key_length",
            expected="a multiple of 8 bytes, at least 24 (a wrapped 128-bit CEK)",
            found=f"{len(wrapped)} bytes",
        )
    primitives, trace = _engine(ctx)
    cek: bytes | None = primitives.aes_key_unwrap(kek, wrapped, trace)
    if cek is None:
        raise KeyManagementError(
            f"{name} unwrapping of the encrypted key failed",
            code="key_management.failed",
            expected=f"the integrity value {DEFAULT_IV.hex().upper()} after unwrapping",
            found="a different value (wrong key, or the encrypted key was altered)",
        )
    return cek


def symmetric_key(algorithm: KeyManagement, key: Key, size: int) -> bytes:
    """The raw bytes of ``key``, which must be a symmetric key of exactly ``size`` bytes."""
    require_key_type(algorithm, key, private=False)
    material: bytes = key.material
    if len(material) != size:
        raise InvalidKeyError(
            f"{algorithm.name} needs a {8 * size}-bit key",
            code="key.size",
            expected=f"{size} bytes",
            found=f"{len(material)} bytes",
            hint="Each AES key-wrapping algorithm takes exactly one key size.",
        )
    return material


class AESKeyWrap(KeyManagement):
    """The CEK wrapped under a shared symmetric key (the KEK) with RFC 3394 AES Key Wrap."""

    family = "aes_kw"
    key_size: int

    mode = Mode.KEY_WRAPPING
    key_types = ("oct",)
    rfc = "RFC 7518 §4.4"
    encrypted_key_kind = "aes_key_wrap"

    def __init__(self, bits: int):
        self.name = f"A{bits}KW"
        self.key_wrap = self.name
        self.key_size = bits // 8
        self.description = f"AES Key Wrap (RFC 3394) with a shared {bits}-bit key"

    def _record(self, ctx: Context) -> None:
        ctx.trace.add(
            "key_wrap_parameters",
            {"scheme": "AES Key Wrap (RFC 3394)", "kek_bits": 8 * self.key_size,
             "initial_value": DEFAULT_IV.hex().upper()},
            f"{self.name}: the CEK is wrapped under the shared {8 * self.key_size}-bit key",
            self.rfc,
        )  # fmt: skip

    def wrap(
        self,
        key: Key,
        cek: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> WrappedKey:
        kek = symmetric_key(self, key, self.key_size)
        self._record(ctx)
        return WrappedKey(cek, wrap_cek(kek, cek, ctx))

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> bytes:
        kek = symmetric_key(self, key, self.key_size)
        self._record(ctx)
        return unwrap_cek(kek, encrypted_key, self.name, ctx)


for _bits in (128, 192, 256):
    register(AESKeyWrap(_bits))
