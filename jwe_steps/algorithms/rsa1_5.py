"""RSAES-PKCS1-v1_5 key encryption: RFC 7518 §4.2 (``RSA1_5``).

Refused unless the caller allow-lists it (RFC 8725 §3.2): PKCS #1 v1.5 padding invites
Bleichenbacher's padding-oracle attack. When it is allowed, decryption follows the
countermeasure of RFC 7516 §11.5 / RFC 3218 §2.3.2: a padding error or a CEK of the wrong
length is never reported as such; the pipeline carries on with a random CEK, so the token
fails at the authentication tag exactly as a tampered one would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import KeyManagementError
from . import ContentEncryption, Context, KeyManagement, Mode, WrappedKey, register
from ._checks import require_key_type, rsa_operand

if TYPE_CHECKING:
    from ..keys import Key


class RSA15(KeyManagement):
    """RSAES-PKCS1-v1_5 (RFC 8017 §7.2)."""

    family = "rsa1_5"
    name = "RSA1_5"
    mode = Mode.KEY_ENCRYPTION
    key_types = ("RSA",)
    rfc = "RFC 7518 §4.2"
    description = "RSAES-PKCS1-v1_5 (legacy; allow-list it to use it)"
    encrypted_key_kind = "rsa_ciphertext"

    def wrap(
        self,
        key: Key,
        cek: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> WrappedKey:
        require_key_type(self, key, private=False)
        public = key.public_key().material
        ctx.trace.add(
            "key_encryption_parameters",
            {"scheme": "RSAES-PKCS1-v1_5", "modulus_bits": public.key_size},
            f"{self.name}: PKCS #1 v1.5 padding (random non-zero bytes), then RSA with the "
            f"recipient's {public.key_size}-bit public key",
            self.rfc,
        )
        return WrappedKey(cek, ctx.primitives.rsa_pkcs1v15_encrypt(public, cek, ctx.trace))

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> bytes:
        cek = self.try_unwrap(key, encrypted_key, enc, header, ctx)
        if cek is None:
            raise KeyManagementError(
                f"{self.name} decryption of the encrypted key failed",
                code="key_management.failed",
                expected=f"a {enc.key_size}-byte CEK under valid PKCS #1 v1.5 padding",
                found="something else",
            )
        return cek

    def try_unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> bytes | None:
        """The CEK, or None for any failure, each costing the same RSA operation.

        Nothing about the padding reaches the caller: run_decryption swaps a None for a random
        CEK (RFC 3218 §2.3.2). A ciphertext of the wrong length or not below the modulus is
        replaced by one the RSA operation accepts (:func:`rsa_operand`), so it runs whatever
        the part holds.
        """
        require_key_type(self, key, private=True)
        ciphertext, fits = rsa_operand(key, encrypted_key)
        cek = ctx.primitives.rsa_pkcs1v15_decrypt(key.material, ciphertext, ctx.trace)
        # OpenSSL 3.2+ may return a synthetic message instead of raising (implicit rejection);
        # a result of the wrong length is the same failure.
        if not fits or cek is None or len(cek) != enc.key_size:
            return None
        return cek


register(RSA15())
