"""The algorithm registry: one module per key-management family and per content cipher.

Each module defines a :class:`KeyManagement` or :class:`ContentEncryption` subclass and
registers an instance with :func:`register`. Adding an algorithm is adding one module and
importing it at the bottom of this file.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from ..errors import AlgorithmError, KeyManagementError
from ..primitives import CRYPTOGRAPHY, Primitives, Record

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
    """What a stage may need besides its inputs: where to record steps, the limits, and the
    primitives to compute with (:data:`jwe_steps.primitives.CRYPTOGRAPHY` unless the
    from-scratch engine was asked for). ``options`` carries per-recipient inputs fixed by the
    caller (``ephemeral_key``)."""

    trace: Trace
    limits: Limits
    primitives: Primitives = CRYPTOGRAPHY
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def engine(self) -> str:
        """The engine's name: ``"cryptography"`` or ``"from_scratch"``."""
        return self.primitives.engine


@dataclass(frozen=True)
class WrappedKey:
    """The result of key management on the sending side."""

    cek: bytes
    encrypted_key: bytes
    header_params: dict[str, Any] = field(default_factory=dict)


EncryptedKeyKind = Literal["rsa_ciphertext", "aes_key_wrap", "aes_gcm_ciphertext", "empty"]

# The one-call forms :mod:`jwe_steps.compact_path` uses for the usual request (see
# KeyManagement.sealer). ``record`` (a fresh trace's list.append) takes the very steps
# wrap()/try_unwrap()/encrypt()/decrypt() would record, as (name, value, meaning, rfc, extra).
CekSealer = Callable[[bytes, Record], bytes]  # (CEK, record) -> encrypted key
# (CEK, record) -> (encrypted key, the epk header parameter it was agreed with)
EpkSealer = Callable[[bytes, Record], tuple[bytes, dict[str, str]]]
# (encrypted key, JOSE header, record) -> CEK or None
CekOpener = Callable[[bytes, dict[str, Any], Record], "bytes | None"]
ContentSealer = Callable[[bytes, bytes, bytes, bytes, Record], tuple[bytes, bytes]]
ContentOpener = Callable[[bytes, bytes, bytes, bytes, bytes, Record], bytes]


class ContentEncryption(ABC):
    """An ``enc`` algorithm (RFC 7518 §5): authenticated encryption of the content.

    Besides its name, each one declares the byte layout a view labels, so nothing needs to be
    guessed from the name:

    - ``key_size``, ``iv_size``, ``tag_size``, ``block_size``: lengths in bytes;
    - ``cek_layout``: the CEK's fields in order, ``(label, length)`` pairs (one ``("CEK", n)``
      for AES-GCM; ``("MAC_KEY", n/2), ("ENC_KEY", n/2)`` for AES-CBC-HMAC);
    - ``mac_hash``: the HMAC hash (``"SHA-256"``...) of a CBC-HMAC cipher, else None.
    """

    name: str
    family: str  # the module that implements it: "aes_gcm" or "aes_cbc_hmac"
    key_size: int  # CEK length in bytes
    iv_size: int  # IV length in bytes
    tag_size: int  # authentication tag length in bytes
    block_size: int = 16  # the AES block, which the views cut the ciphertext into
    mac_hash: str | None = None
    rfc: str
    description: str

    @property
    def key_bits(self) -> int:
        """The CEK length in bits."""
        return 8 * self.key_size

    @property
    def cek_layout(self) -> tuple[tuple[str, int], ...]:
        """The CEK's fields in order: ``(label, length in bytes)``."""
        return (("CEK", self.key_size),)

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

    def decrypt_pieces(
        self,
        cek: bytes,
        iv: bytes,
        pieces: Iterable[bytes],
        length: int,
        whole: Callable[[], bytes],
        tag: bytes,
        aad: bytes,
        ctx: Context,
    ) -> bytes:
        """:meth:`decrypt` of a ciphertext that arrives in ``pieces`` (``length`` bytes in
        all; ``whole()`` gives it at once). A cipher that can stream overrides this so the
        ciphertext never exists whole; this default joins the pieces."""
        return self.decrypt(cek, iv, b"".join(pieces), tag, aad, ctx)

    def sealer(self) -> ContentSealer | None:
        """:meth:`encrypt` with the ``cryptography`` engine as one call that records what
        encrypt records, ``(cek, iv, plaintext, aad, record) -> (ciphertext, tag)``, for content
        below :data:`~jwe_steps.primitives.STREAMING_FROM`; None (the default) when this cipher
        has no such form."""
        return None

    def opener(self) -> ContentOpener | None:
        """The receiving side of :meth:`sealer`: ``(cek, iv, ciphertext, tag, aad, record)``
        -> the plaintext, raising what :meth:`decrypt` raises when the tag does not verify;
        None when there is no such form."""
        return None


class KeyManagement(ABC):
    """An ``alg`` algorithm (RFC 7518 §4): how the CEK reaches the recipient.

    Besides its name, each one declares what a caller would otherwise guess from the name:

    - ``family``: the module that implements it (``"rsa_oaep"``, ``"pbes2"``...);
    - ``key_size``: the symmetric key it takes or derives, in bytes (the KEK of AxxxKW,
      AxxxGCMKW, PBES2 and ECDH-ES+AxxxKW), None when the key has no fixed size (RSA) or the
      size is the CEK's (``dir``, ``ECDH-ES``);
    - ``key_wrap``: the name of the wrap applied to the CEK (``"A128KW"``, ``"A256GCMKW"``),
      None for RSA, ``dir`` and ``ECDH-ES``;
    - ``hash_name``: the hash of RSA-OAEP or of PBES2's HMAC (``"SHA-256"``), else None;
    - ``header_params``: the header parameters it adds when encrypting (``("epk",)``,
      ``("iv", "tag")``, ``("p2s", "p2c")``); ``optional_header_params`` those it reads when
      present (``("apu", "apv")``); ``header_param_sizes``: the fixed decoded byte length of
      each base64url parameter that has one (``{"iv": 12, "tag": 16}``);
    - ``encrypted_key_kind``: what the encrypted key is (``"rsa_ciphertext"``,
      ``"aes_key_wrap"``, ``"aes_gcm_ciphertext"``, ``"empty"``), and
      :meth:`encrypted_key_size` its length.
    """

    name: str
    family: str  # the module that implements it: "rsa_oaep", "pbes2", "aes_gcm_kw", ...
    mode: Mode
    key_types: tuple[str, ...]
    rfc: str
    description: str
    key_size: int | None = None
    key_wrap: str | None = None
    hash_name: str | None = None
    header_params: tuple[str, ...] = ()
    optional_header_params: tuple[str, ...] = ()
    header_param_sizes: Mapping[str, int] = MappingProxyType({})
    encrypted_key_kind: EncryptedKeyKind = "empty"

    def encrypted_key_size(self, cek_size: int, key_bits: int | None = None) -> int | None:
        """The encrypted key's length in bytes for a ``cek_size``-byte CEK (and, for RSA, a
        ``key_bits``-bit modulus); None when that cannot be known (RSA without ``key_bits``)."""
        kind = self.encrypted_key_kind
        if kind == "rsa_ciphertext":
            return None if key_bits is None else (key_bits + 7) // 8
        if kind == "aes_key_wrap":
            return cek_size + 8  # RFC 3394: one 64-bit integrity block more
        if kind == "aes_gcm_ciphertext":
            return cek_size
        return 0

    def wrap(
        self,
        key: Key,
        cek: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> WrappedKey:
        """Sending side of key encryption, key wrapping and key agreement with key wrapping
        (RFC 7516 §5.1 steps 3-4): ``cek``, the CEK drawn by the pipeline (or given),
        encrypted to ``key``. Direct modes implement :meth:`determine_cek` instead."""
        raise TypeError(f"{self.name} determines the CEK itself; call determine_cek()")

    def determine_cek(
        self,
        key: Key,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> WrappedKey:
        """Sending side of direct key agreement and direct encryption (RFC 7516 §5.1 steps 3,
        5-6): the CEK agreed or taken, and an empty encrypted key. Modes that encrypt a CEK
        implement :meth:`wrap` instead (``generates_cek`` says which)."""
        raise TypeError(f"{self.name} encrypts a CEK it is given; call wrap()")

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

    def try_unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> bytes | None:
        """:meth:`unwrap`, but None instead of a KeyManagementError (the failure the pipeline
        masks with a random CEK, RFC 7516 §11.5). Algorithms whose failure depends on the
        private key (RSA) override it so that failing costs no more work than succeeding."""
        try:
            return self.unwrap(key, encrypted_key, enc, header, ctx)
        except KeyManagementError:
            return None

    def sealer(self, key: Key) -> CekSealer | None:
        """:meth:`wrap` for this one key with the ``cryptography`` engine, as one call that
        records what wrap records and adds no header parameters, for
        :mod:`jwe_steps.compact_path`'s sending plans; None (the default) when the algorithm
        has no such form (a fresh ephemeral key, a header parameter, a password's salt)."""
        return None

    def epk_sealer(
        self, key: Key, enc: ContentEncryption, header: Mapping[str, Any]
    ) -> EpkSealer | None:
        """:meth:`wrap` for this one key, ``enc`` and protected ``header`` as one call that
        also returns the ``epk`` it adds (ECDH-ES+AxxxKW); None (the default) otherwise."""
        return None

    def opener(self, key: Key, enc: ContentEncryption) -> CekOpener | None:
        """:meth:`try_unwrap` for this one key and ``enc`` in the same one-call form; None
        when there is none. It does the same work as try_unwrap whether or not the CEK comes
        out (§11.5), and raises what try_unwrap raises (a HeaderError for a bad ``epk``)."""
        return None

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
            code="header.member_type",
            expected="an algorithm name such as " + ", ".join(sorted(table)[:3]),
            found=type(name).__name__,
        )
    try:
        return table[name]
    except KeyError:
        raise AlgorithmError(
            f"unsupported '{kind}' algorithm",
            code=f"header.unsupported_{kind}",
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
