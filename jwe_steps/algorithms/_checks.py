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
