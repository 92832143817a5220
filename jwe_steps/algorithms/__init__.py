"""The algorithm registry: one module per key-management family and per content cipher.

Each module defines a :class:`KeyManagement` or :class:`ContentEncryption` subclass and
registers an instance with :func:`register`. Adding an algorithm is adding one module and
importing it at the bottom of this file.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ..errors import AlgorithmError

if TYPE_CHECKING:
    from ..keys import Key
    from ..limits import Limits
    from ..trace import Trace


class Mode(StrEnum):
    """Key Management Modes, RFC 7516 §2."""

    KEY_ENCRYPTION = "key encryption"
    KEY_WRAPPING = "key wrapping"
    DIRECT_KEY_AGREEMENT = "direct key agreement"
    KEY_AGREEMENT_WITH_KEY_WRAPPING = "key agreement with key wrapping"
    DIRECT_ENCRYPTION = "direct encryption"


@dataclass
class Context:
    """What a stage may need besides its inputs: where to record steps, which engine, limits."""

    trace: Trace
    limits: Limits
    engine: str = "cryptography"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WrappedKey:
    """The result of key management on the sending side."""

    cek: bytes
    encrypted_key: bytes
    header_params: dict[str, Any] = field(default_factory=dict)


class ContentEncryption(ABC):
    """An ``enc`` algorithm (RFC 7518 §5): authenticated encryption of the content."""

    name: str
    family: str  # the module that implements it: "aes_gcm" or "aes_cbc_hmac"
    key_size: int  # CEK length in bytes
    iv_size: int  # IV length in bytes
    tag_size: int  # authentication tag length in bytes
    rfc: str
    description: str

    @abstractmethod
    def encrypt(
        self, cek: bytes, iv: bytes, plaintext: bytes, aad: bytes, ctx: Context
    ) -> tuple[bytes, bytes]:
        """Return ``(ciphertext, tag)``."""

    @abstractmethod
    def decrypt(
        self, cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes, ctx: Context
    ) -> bytes:
        """Return the plaintext, or raise DecryptionFailedError."""


class KeyManagement(ABC):
    """An ``alg`` algorithm (RFC 7518 §4): how the CEK reaches the recipient."""

    name: str
    family: str  # the module that implements it: "rsa_oaep", "pbes2", "aes_gcm_kw", ...
    mode: Mode
    key_types: tuple[str, ...]
    rfc: str
    description: str

    @abstractmethod
    def wrap(
        self,
        key: Key,
        cek: bytes | None,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> WrappedKey:
        """Sending side: produce (or, for direct modes, determine) the CEK and its encryption.

        ``cek`` is the CEK the pipeline generated or was given; direct modes ignore it.
        """

    @abstractmethod
    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> bytes:
        """Receiving side: recover the CEK, or raise KeyManagementError."""

    @property
    def generates_cek(self) -> bool:
        """True when the CEK comes from key management itself rather than from a random draw."""
        return self.mode in _MODES_THAT_DETERMINE_THE_CEK


# Looked up once: on Python 3.11 each ``Mode.X`` attribute access runs a descriptor.
_MODES_THAT_DETERMINE_THE_CEK = frozenset({Mode.DIRECT_ENCRYPTION, Mode.DIRECT_KEY_AGREEMENT})


KEY_MANAGEMENT: dict[str, KeyManagement] = {}
CONTENT_ENCRYPTION: dict[str, ContentEncryption] = {}

# Allowed unless the caller passes its own allow-list. RSA1_5 is left out on purpose
# (RFC 8725 §3.2 and the Bleichenbacher attack); pass it explicitly to accept it.
NOT_ALLOWED_BY_DEFAULT = frozenset({"RSA1_5"})


def register(algorithm: KeyManagement | ContentEncryption) -> None:
    table: dict[str, Any] = (
        KEY_MANAGEMENT if isinstance(algorithm, KeyManagement) else CONTENT_ENCRYPTION
    )
    table[algorithm.name] = algorithm
    default_allow_lists.cache_clear()


def default_algorithms() -> frozenset[str]:
    """The allow-list decrypt() uses when none is given."""
    return (frozenset(KEY_MANAGEMENT) | frozenset(CONTENT_ENCRYPTION)) - NOT_ALLOWED_BY_DEFAULT


@functools.cache
def default_allow_lists() -> tuple[frozenset[str], frozenset[str]]:
    """The default allow-list split into ``alg`` and ``enc`` names.

    Computed once (every encrypt and decrypt call needs it); :func:`register` clears the cache.
    """
    defaults = default_algorithms()
    return defaults & frozenset(KEY_MANAGEMENT), defaults & frozenset(CONTENT_ENCRYPTION)


def _lookup(table: dict[str, Any], kind: str, name: object) -> Any:
    if not isinstance(name, str):
        raise AlgorithmError(
            f"'{kind}' must be a string",
            expected="an algorithm name such as " + ", ".join(sorted(table)[:3]),
            found=type(name).__name__,
        )
    try:
        return table[name]
    except KeyError:
        raise AlgorithmError(
            f"unsupported '{kind}' algorithm",
            expected="one of " + ", ".join(sorted(table)),
            found=repr(name[:64]),
        ) from None


def key_management(name: object) -> KeyManagement:
    """The registered ``alg`` called ``name`` (AlgorithmError if there is none)."""
    result: KeyManagement = _lookup(KEY_MANAGEMENT, "alg", name)
    return result


def content_encryption(name: object) -> ContentEncryption:
    """The registered ``enc`` called ``name`` (AlgorithmError if there is none)."""
    result: ContentEncryption = _lookup(CONTENT_ENCRYPTION, "enc", name)
    return result


# Importing a module registers its algorithms.
from . import (  # noqa: E402, F401
    aes_cbc_hmac,
    aes_gcm,
    aes_gcm_kw,
    aes_kw,
    dir,
    ecdh_es,
    pbes2,
    rsa1_5,
    rsa_oaep,
)
