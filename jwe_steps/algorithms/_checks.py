"""Checks shared by the algorithm modules: is this key usable for this algorithm?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import InvalidKeyError

if TYPE_CHECKING:
    from ..keys import Key
    from . import KeyManagement


def require_key_type(algorithm: KeyManagement, key: Key, *, private: bool) -> None:
    """Raise InvalidKeyError unless ``key`` is of a type ``algorithm`` can use."""
    if key.kty not in algorithm.key_types:
        raise InvalidKeyError(
            f"{algorithm.name} cannot use this kind of key",
            code="key.type",
            expected=" or ".join(f"a {kty} key" for kty in algorithm.key_types),
            found=f"a {key.kty} key",
            hint=f"{algorithm.name} is {algorithm.description}.",
        )
    if private and not key.is_private:
        raise InvalidKeyError(
            f"{algorithm.name} needs the private key to decrypt",
            code="key.not_private",
            expected=f"a private {key.kty} key",
            found="a public key",
            hint="Decryption uses the recipient's private key; the sender only has the public one.",
        )


def rsa_operand(key: Key, encrypted_key: bytes) -> tuple[bytes, bool]:
    """The ciphertext to run ``key``'s RSA private-key operation on, and whether it is
    ``encrypted_key`` itself.

    OpenSSL refuses a ciphertext of the wrong length, or one whose value is not below the
    modulus, before any exponentiation: a few microseconds instead of a few hundred, which would
    tell a token made for another (larger) key from a tampered one (RFC 7516 §11.5). Such a
    ciphertext is replaced by zeros of the modulus size, so every failure costs the same
    operation. Both facts are public (the part's length, and n from the public key), so the
    comparison itself needs no constant time."""
    modulus, size = rsa_modulus(key)
    fits = len(encrypted_key) == size and int.from_bytes(encrypted_key, "big") < modulus
    return (encrypted_key if fits else bytes(size)), fits


def rsa_modulus(key: Key) -> tuple[int, int]:
    """``key``'s RSA modulus n and its length in bytes (kept on the key after the first call)."""
    modulus: int | None = key._memo.get("rsa_modulus")
    if modulus is None:
        modulus = key._memo["rsa_modulus"] = key._public_material().public_numbers().n
    return modulus, (modulus.bit_length() + 7) // 8
