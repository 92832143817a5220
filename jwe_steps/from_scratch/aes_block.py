"""The only borrowed primitive: the AES block cipher itself, one 16-byte block at a time.

Every mode in this package (GCM's counter mode and GHASH, CBC, key wrap) is built here on top of
a single operation, E(K, block) (and, for unwrapping and CBC decryption, its inverse). It comes
from ``cryptography``'s AES in ECB mode; ECB over exactly one block *is* the raw block cipher.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ..errors import InvalidKeyError
from ._common import require_length

BLOCK_SIZE = 16
AES_KEY_SIZES = (16, 24, 32)


class AESBlock:
    """E(K, ·) and D(K, ·) on single 16-byte blocks (FIPS 197)."""

    __slots__ = ("_decrypt", "_encrypt", "key_size")

    def __init__(self, key: bytes, *, what: str = "the AES key") -> None:
        require_length(key, AES_KEY_SIZES, what, InvalidKeyError, code="key.size")
        self.key_size = len(key)
        # ECB on one block at a time is the bare block cipher: no chaining, no padding.
        cipher = Cipher(algorithms.AES(key), modes.ECB())  # noqa: S305
        self._encrypt = cipher.encryptor().update
        self._decrypt = cipher.decryptor().update

    def encrypt(self, block: bytes) -> bytes:
        """E(K, block) for one 16-byte block."""
        if len(block) != BLOCK_SIZE:
            raise ValueError("AES works on 16-byte blocks")
        return self._encrypt(block)

    def decrypt(self, block: bytes) -> bytes:
        """D(K, block) = E⁻¹(K, block) for one 16-byte block."""
        if len(block) != BLOCK_SIZE:
            raise ValueError("AES works on 16-byte blocks")
        return self._decrypt(block)
