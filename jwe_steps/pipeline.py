"""encrypt() and decrypt(): the public entry points of RFC 7516 §5.1 and §5.2.

The steps themselves live in :mod:`jwe_steps.encryption` (§5.1) and :mod:`jwe_steps.decryption`
(§5.2), one function per step group; each stage in its own module (header, cek, iv, aad,
deflate, algorithms/*, serialization, keys for the key binding of §5.2 step 7). The usual case
(one recipient, compact, a loaded Key) goes through :mod:`jwe_steps.compact_path`, which
records the same steps without redoing what cannot change between calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, overload

from . import compact_path
from .allow_list import allowed_algorithms as _allowed
from .allow_list import check_allowed as _check_allowed
from .decryption import NOT_THIS_RECIPIENT as _NOT_THIS_RECIPIENT
from .decryption import decrypt_recipient as _decrypt_recipient
from .decryption import perform_decrypt
from .decryption import token_size as _token_size
from .encryption import (
    RECIPIENT_FIELDS,
    CompactEncryptTrace,
    JSONEncryptTrace,
    Recipient,
    perform_encrypt,
)
from .encryption import as_plaintext as _as_bytes
from .keys import DECRYPT_OPERATIONS, ENCRYPT_OPERATIONS, Key, check_key_allows, resolve_key
from .limits import Limits
from .primitives import Engine
from .trace import DecryptTrace, EncryptTrace

Serialization = Literal["compact", "flattened", "general"]

_NO_PLANS: dict[tuple[Any, ...], Any] = {}  # a key that has sent nothing yet (never written to)


@overload
def encrypt(
    plaintext: bytes | str,
    key: Any = None,
    *,
    alg: str | None = None,
    enc: str,
    header: Mapping[str, Any] | None = None,
    cek: bytes | None = None,
    iv: bytes | None = None,
    serialization: Literal["compact"] = "compact",
    unprotected: Mapping[str, Any] | None = None,
    recipient_header: Mapping[str, Any] | None = None,
    aad: bytes | None = None,
    recipients: Sequence[Recipient | Mapping[str, Any]] | None = None,
    ephemeral_key: Any = None,
    algorithms: Iterable[str] | None = None,
    engine: Engine = "cryptography",
    oaep_seed: bytes | None = None,
) -> CompactEncryptTrace: ...


@overload
def encrypt(
    plaintext: bytes | str,
    key: Any = None,
    *,
    alg: str | None = None,
    enc: str,
    header: Mapping[str, Any] | None = None,
    cek: bytes | None = None,
    iv: bytes | None = None,
    serialization: Literal["flattened", "general"],
    unprotected: Mapping[str, Any] | None = None,
    recipient_header: Mapping[str, Any] | None = None,
    aad: bytes | None = None,
    recipients: Sequence[Recipient | Mapping[str, Any]] | None = None,
    ephemeral_key: Any = None,
    algorithms: Iterable[str] | None = None,
    engine: Engine = "cryptography",
    oaep_seed: bytes | None = None,
) -> JSONEncryptTrace: ...


def encrypt(
    plaintext: bytes | str,
    key: Any = None,
    *,
    alg: str | None = None,
    enc: str,
    header: Mapping[str, Any] | None = None,
    cek: bytes | None = None,
    iv: bytes | None = None,
    serialization: Serialization = "compact",
    unprotected: Mapping[str, Any] | None = None,
    recipient_header: Mapping[str, Any] | None = None,
    aad: bytes | None = None,
    recipients: Sequence[Recipient | Mapping[str, Any]] | None = None,
    ephemeral_key: Any = None,
    algorithms: Iterable[str] | None = None,
    engine: Engine = "cryptography",
    oaep_seed: bytes | None = None,
) -> EncryptTrace:
    """Encrypt ``plaintext`` to ``key`` and return every intermediate value.

    Args:
        plaintext: bytes, or str (encoded as UTF-8).
        key: the recipient's key: a JWK dict or JSON, PEM, a ``cryptography`` key object, a
            :class:`Key`, or raw bytes for a symmetric key or PBES2 password (see
            :func:`load_key`). The public key is enough for RSA and ECDH-ES.
        alg, enc: the key management and content encryption algorithms.
        header: JWE Protected Header members (``kid``, ``cty``, ``typ``, ``zip``...). The key's
            ``kid`` is added when the key has one and no header sets it. ``alg`` and ``enc`` go
            first unless a header places them. Algorithm parameters given here (``p2s``,
            ``p2c``, ``apu``, ``apv``, the ``iv`` of AES-GCM key wrapping) are used instead of
            fresh ones, to reproduce published examples.
        cek, iv: fixed values instead of fresh random ones, to reproduce published examples.
            Never reuse an IV with the same CEK for real data.
        serialization: ``"compact"`` (a str), ``"flattened"`` or ``"general"`` JSON (a dict).
        unprotected: the JSON serializations' shared unprotected header.
        recipient_header: the JSON serializations' per-recipient header.
        aad: the JSON serializations' extra authenticated data (``aad``; b"" is none).
        recipients: for general JSON with several recipients, instead of ``key``/``alg``/
            ``recipient_header``/``ephemeral_key``: a list of :class:`Recipient` (``key``,
            ``alg`` and optionally ``header``, the per-recipient header, and ``ephemeral_key``)
            or dicts with those fields. All share one CEK; each gets the CEK encrypted with its
            own ``alg``, which goes in its per-recipient header unless a shared header sets it.
        ephemeral_key: ECDH-ES only: a fixed ephemeral private key, to reproduce examples.
        algorithms: the allow-list, as for :func:`decrypt`; RSA1_5 must be named to be used.
        engine: ``"cryptography"`` (the default) or ``"from_scratch"``: run the primitives
            through the teaching implementations in :mod:`jwe_steps.from_scratch` and record
            their inner steps too (``gcm.H``, ``oaep.DB``, ...). The token is byte-identical.
        oaep_seed: RSA-OAEP with ``engine="from_scratch"`` only: a fixed OAEP seed (hLen
            bytes: 20 for RSA-OAEP, 32 for RSA-OAEP-256) so the encrypted key is reproducible.
            For examples only; never fix the seed for real data.

    Where key management adds header parameters (``epk``, ``iv``/``tag``, ``p2s``/``p2c``)
    they go in the header that holds ``alg`` (the per-recipient one with several recipients).

    Returns:
        An :class:`EncryptTrace`: a :class:`CompactEncryptTrace` (``.token`` is a str) for the
        compact serialization, a :class:`JSONEncryptTrace` (``.token`` is a dict) otherwise.
    """
    usual = serialization == "compact" and engine == "cryptography" and type(key) is Key and (
        cek is None and iv is None and aad is None and unprotected is None and oaep_seed is None
        and recipient_header is None and recipients is None and ephemeral_key is None
    )  # fmt: skip
    if usual and header is None and algorithms is None and type(alg) is str and type(enc) is str:
        memo_key: tuple[Any, ...] | None = (alg, enc, None, None)  # the usual call, inline
        plan = key._memo.get("sending", _NO_PLANS).get(memo_key)
    else:
        memo_key, plan = compact_path.sending_plan(key, alg, enc, header, algorithms, usual=usual)
    if plan is not None:  # these very arguments went through the general path before
        message = plaintext if type(plaintext) is bytes else _as_bytes(plaintext)
        return compact_path.encrypt_compact(message, key, plan)
    trace = perform_encrypt(
        plaintext, key, alg=alg, enc=enc, header=header, cek=cek, iv=iv,
        serialization=serialization, unprotected=unprotected, recipient_header=recipient_header,
        aad=aad, recipients=recipients, ephemeral_key=ephemeral_key, algorithms=algorithms,
        engine=engine, oaep_seed=oaep_seed,
    )  # fmt: skip
    if memo_key is not None:
        compact_path.remember_sending_plan(key, memo_key, trace)
    return trace


def decrypt(
    token: str | bytes | Mapping[str, Any],
    key: Any,
    *,
    algorithms: Iterable[str] | None = None,
    limits: Limits | None = None,
    engine: Engine = "cryptography",
) -> DecryptTrace:
    """Decrypt ``token`` with ``key`` and return every intermediate value.

    Args:
        token: a compact JWE (str), a JSON-serialized JWE (JSON text or a dict; general or
            flattened).
        key: the recipient's private key (anything :func:`load_key` accepts, including raw
            bytes for a symmetric key or a PBES2 password), or a key set (JWKS dict or
            :class:`KeySet`) from which each recipient's ``kid`` picks the key.
        algorithms: the ``alg``/``enc`` values to accept; None means the safe default set
            (everything registered except RSA1_5).
        limits: caps on token size, PBES2 ``p2c`` and decompressed size; see :class:`Limits`.
        engine: ``"cryptography"`` (the default) or ``"from_scratch"``, as for :func:`encrypt`.

    A general JSON token with several recipients is decrypted with the first recipient that
    ``key`` opens: recipients whose ``alg`` is not allowed or whose key does not fit are
    skipped, the others are tried in order.

    Raises:
        JWEError: for any bad input; ``.stage`` names where. A CEK that fails to decrypt is
            replaced by a random one (RFC 7516 §11.5), so a wrong key and an altered token fail
            alike, at the tag. Use :func:`jwe_steps.explain` with your own key to tell them apart.
    """
    if engine == "cryptography":
        usual = compact_path.decrypt_compact(token, key, algorithms, limits)
        if usual is not None:
            return usual
    trace = DecryptTrace()
    perform_decrypt(
        token, key, trace, algorithms=algorithms, limits=limits, reveal=False, engine=engine
    )
    return trace


def run_decryption(
    token: Any,
    key: Any,
    trace: DecryptTrace,
    *,
    algorithms: Iterable[str] | None = None,
    limits: Limits | None = None,
    reveal: bool,
    engine: str = "cryptography",
) -> None:
    """The §5.2 steps, recorded into ``trace`` (see :func:`jwe_steps.decryption.perform_decrypt`;
    this name is kept for explain and the diagnosis)."""
    perform_decrypt(
        token, key, trace, algorithms=algorithms, limits=limits, reveal=reveal, engine=engine
    )


# Names other modules imported from here before the steps moved out; kept importable.
_KEPT = (
    DECRYPT_OPERATIONS, ENCRYPT_OPERATIONS, RECIPIENT_FIELDS, _NOT_THIS_RECIPIENT, _allowed,
    _as_bytes, _check_allowed, _decrypt_recipient, _token_size, check_key_allows, resolve_key,
)  # fmt: skip

__all__ = [
    "DECRYPT_OPERATIONS",
    "ENCRYPT_OPERATIONS",
    "CompactEncryptTrace",
    "JSONEncryptTrace",
    "Recipient",
    "Serialization",
    "check_key_allows",
    "decrypt",
    "encrypt",
    "resolve_key",
    "run_decryption",
]
