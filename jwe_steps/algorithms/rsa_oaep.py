"""RSA-OAEP key encryption: RFC 7518 §4.3 (``RSA-OAEP`` with SHA-1, ``RSA-OAEP-256``), and
``RSA-OAEP-384`` / ``RSA-OAEP-512`` (listed in the IANA JOSE algorithms registry: the same
scheme with a larger hash, as WebCrypto and panva/jose use it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from ..errors import KeyManagementError
from ..from_scratch import engine as from_scratch
from . import ContentEncryption, Context, KeyManagement, Mode, WrappedKey, register
from ._checks import require_key_type

if TYPE_CHECKING:
    from ..keys import Key


class RSAOAEP(KeyManagement):
    """RSAES-OAEP (RFC 8017 §7.1) with the same hash for OAEP and MGF1, and an empty label."""

    family = "rsa_oaep"

    mode = Mode.KEY_ENCRYPTION
    key_types = ("RSA",)
    rfc = "RFC 7518 §4.3"

    def __init__(self, name: str, hash_name: str, hash_factory: type[hashes.HashAlgorithm]):
        self.name = name
        self.hash_name = hash_name
        self._hash_factory = hash_factory
        self.description = f"RSAES-OAEP with {hash_name} and MGF1-{hash_name}"
        # Built once: a padding object holds no state, and building it costs about a microsecond.
        self._padding = padding.OAEP(
            mgf=padding.MGF1(algorithm=hash_factory()), algorithm=hash_factory(), label=None
        )

    def padding(self) -> padding.OAEP:
        """OAEP with this alg's hash for both OAEP and MGF1, and an empty label."""
        return self._padding

    def wrap(
        self,
        key: Key,
        cek: bytes | None,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> WrappedKey:
        require_key_type(self, key, private=False)
        assert cek is not None
        public = key.public_key().material
        ctx.trace.add(
            "key_encryption_parameters",
            {
                "scheme": "RSAES-OAEP",
                "hash": self.hash_name,
                "mgf": f"MGF1-{self.hash_name}",
                "label": "",
                "modulus_bits": public.key_size,
            },
            f"{self.name}: OAEP padding with {self.hash_name}, an empty label, "
            f"then RSA with the recipient's {public.key_size}-bit public key",
            self.rfc,
        )
        if from_scratch.uses_from_scratch(ctx):
            return WrappedKey(cek, from_scratch.oaep_encrypt(public, cek, self.hash_name, ctx))
        return WrappedKey(cek, public.encrypt(cek, self.padding()))

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
                expected=f"{modulus_bytes} bytes (the modulus size)",
                found=f"{len(encrypted_key)} bytes",
                hint="The token was encrypted to a different key, or the part was truncated.",
            )
        if from_scratch.uses_from_scratch(ctx):
            return from_scratch.oaep_decrypt(key.material, encrypted_key, self.hash_name, ctx)
        try:
            cek: bytes = key.material.decrypt(encrypted_key, self.padding())
        except ValueError:
            raise KeyManagementError(
                f"{self.name} decryption of the encrypted key failed",
                expected=f"OAEP padding with {self.hash_name} under this private key",
                found="invalid padding",
                hint="The sender used another public key or another OAEP hash.",
            ) from None
        return cek


register(RSAOAEP("RSA-OAEP", "SHA-1", hashes.SHA1))
register(RSAOAEP("RSA-OAEP-256", "SHA-256", hashes.SHA256))
register(RSAOAEP("RSA-OAEP-384", "SHA-384", hashes.SHA384))
register(RSAOAEP("RSA-OAEP-512", "SHA-512", hashes.SHA512))
