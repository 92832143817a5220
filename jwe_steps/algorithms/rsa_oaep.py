"""RSA-OAEP key encryption: RFC 7518 §4.3 (``RSA-OAEP`` with SHA-1, ``RSA-OAEP-256``), and
``RSA-OAEP-384`` / ``RSA-OAEP-512`` (listed in the IANA JOSE algorithms registry: the same
scheme with a larger hash, as WebCrypto and panva/jose use it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import padding

from ..errors import KeyManagementError
from ..primitives import Record, oaep_padding
from . import (
    CekOpener,
    CekSealer,
    ContentEncryption,
    Context,
    KeyManagement,
    Mode,
    WrappedKey,
    register,
)
from ._checks import require_key_type, rsa_modulus, rsa_operand

if TYPE_CHECKING:
    from ..keys import Key


class RSAOAEP(KeyManagement):
    """RSAES-OAEP (RFC 8017 §7.1) with the same hash for OAEP and MGF1, and an empty label."""

    family = "rsa_oaep"

    mode = Mode.KEY_ENCRYPTION
    key_types = ("RSA",)
    rfc = "RFC 7518 §4.3"
    encrypted_key_kind = "rsa_ciphertext"
    hash_name: str

    def __init__(self, name: str, hash_name: str):
        self.name = name
        self.hash_name = hash_name
        self.description = f"RSAES-OAEP with {hash_name} and MGF1-{hash_name}"

    def padding(self) -> padding.OAEP:
        """OAEP with this alg's hash for both OAEP and MGF1, and an empty label."""
        return oaep_padding(self.hash_name)

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
        parameters, meaning = self._parameters(public)
        ctx.trace.add("key_encryption_parameters", parameters, meaning, self.rfc)
        return WrappedKey(
            cek, ctx.primitives.rsa_oaep_encrypt(public, cek, self.hash_name, ctx.trace)
        )

    def _parameters(self, public: Any) -> tuple[dict[str, Any], str]:
        """The ``key_encryption_parameters`` step's value and meaning for this public key."""
        bits = public.key_size
        parameters = {
            "scheme": "RSAES-OAEP",
            "hash": self.hash_name,
            "mgf": f"MGF1-{self.hash_name}",
            "label": "",
            "modulus_bits": bits,
        }
        return parameters, (
            f"{self.name}: OAEP padding with {self.hash_name}, an empty label, "
            f"then RSA with the recipient's {bits}-bit public key"
        )

    def sealer(self, key: Key) -> CekSealer:
        require_key_type(self, key, private=False)
        public = key.public_key().material
        encrypt, oaep, rfc = public.encrypt, self.padding(), self.rfc
        parameters, meaning = self._parameters(public)

        def seal(cek: bytes, record: Record) -> bytes:
            record(("key_encryption_parameters", dict(parameters), meaning, rfc, None))
            result: bytes = encrypt(cek, oaep)
            return result

        return seal

    def opener(self, key: Key, enc: ContentEncryption) -> CekOpener:
        require_key_type(self, key, private=True)
        decrypt, oaep = key.material.decrypt, self.padding()
        modulus, size = rsa_modulus(key)

        def open_(encrypted_key: bytes, header: dict[str, Any], record: Record) -> bytes | None:
            # rsa_operand's rule, with the modulus looked up once: the same work either way.
            fits = len(encrypted_key) == size and int.from_bytes(encrypted_key, "big") < modulus
            try:
                cek: bytes = decrypt(encrypted_key if fits else bytes(size), oaep)
            except ValueError:
                return None
            return cek if fits else None

        return open_

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> bytes:
        require_key_type(self, key, private=True)
        modulus_bytes = (key.material.key_size + 7) // 8
        if len(encrypted_key) != modulus_bytes:
            raise KeyManagementError(
                f"the {self.name} encrypted key has the wrong length for this RSA key",
                code="key_management.encrypted_key_length",
                expected=f"{modulus_bytes} bytes (the modulus size)",
                found=f"{len(encrypted_key)} bytes",
                hint="The token was encrypted to a different key, or the part was truncated.",
            )
        cek = self.try_unwrap(key, encrypted_key, enc, header, ctx)
        if cek is None:
            raise KeyManagementError(
                f"{self.name} decryption of the encrypted key failed",
                code="key_management.failed",
                expected=f"OAEP padding with {self.hash_name} under this private key",
                found="invalid padding",
                hint="The sender used another public key or another OAEP hash.",
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
        """The CEK, or None when this private key does not open ``encrypted_key``.

        A ciphertext of the wrong length or not below the modulus (a token made for a larger
        key) is not shortcut: it goes through the same RSA operation as any other
        (:func:`rsa_operand`), so a wrong key, a truncated part and a bad padding all cost the
        same.
        """
        require_key_type(self, key, private=True)
        ciphertext, fits = rsa_operand(key, encrypted_key)
        cek = ctx.primitives.rsa_oaep_decrypt(key.material, ciphertext, self.hash_name, ctx.trace)
        return cek if fits else None


register(RSAOAEP("RSA-OAEP", "SHA-1"))
register(RSAOAEP("RSA-OAEP-256", "SHA-256"))
register(RSAOAEP("RSA-OAEP-384", "SHA-384"))
register(RSAOAEP("RSA-OAEP-512", "SHA-512"))
