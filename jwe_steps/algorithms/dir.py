"""Direct encryption: RFC 7518 §4.5 (``dir``). The shared symmetric key is the CEK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InvalidKeyError, KeyManagementError
from . import ContentEncryption, Context, KeyManagement, Mode, WrappedKey, register
from ._checks import require_key_type

if TYPE_CHECKING:
    from ..keys import Key


class Direct(KeyManagement):
    """No key management: the shared key is used as the CEK; the encrypted key is empty."""

    family = "dir"

    name = "dir"
    mode = Mode.DIRECT_ENCRYPTION
    key_types = ("oct",)
    rfc = "RFC 7518 §4.5"
    description = "direct use of a shared symmetric key as the CEK"

    def _cek(self, key: Key, enc: ContentEncryption) -> bytes:
        require_key_type(self, key, private=False)
        material: bytes = key.material
        if len(material) != enc.key_size:
            raise InvalidKeyError(
                f"with 'dir' the key is the CEK, so it must fit {enc.name}",
                code="key.size",
                expected=f"{enc.key_size} bytes ({8 * enc.key_size} bits)",
                found=f"{len(material)} bytes",
                hint=f"{enc.name} needs a {8 * enc.key_size}-bit key.",
            )
        return material

    def determine_cek(
        self,
        key: Key,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> WrappedKey:
        return WrappedKey(self._cek(key, enc), b"")

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> bytes:
        # RFC 7516 §5.2 step 10: with direct encryption the encrypted key must be empty.
        if encrypted_key:
            raise KeyManagementError(
                "'dir' tokens carry no encrypted key",
                code="key_management.encrypted_key_not_empty",
                expected="an empty encrypted key part (RFC 7516 §5.2 step 10)",
                found=f"{len(encrypted_key)} bytes",
            )
        return self._cek(key, enc)


register(Direct())
