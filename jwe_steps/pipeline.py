"""encrypt() and decrypt(): the steps of RFC 7516 §5.1 and §5.2, in order, recorded in a Trace.

Each stage lives in its own module (header, cek, iv, aad, algorithms/*, serialization); this
module only calls them in the RFC's order and records what each produced.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import algorithms as registry
from .aad import compute_aad
from .algorithms import ContentEncryption, Context, KeyManagement
from .b64 import b64url_encode
from .cek import check_cek_length, generate_cek
from .errors import (
    AlgorithmError,
    CEKLengthError,
    DecryptionFailedError,
    HeaderError,
    InputError,
    InvalidKeyError,
    JWEError,
    KeyManagementError,
    SizeLimitError,
    TagLengthError,
)
from .from_scratch.engine import FROM_SCRATCH, OAEP_SEED_OPTION, check_engine
from .header import (
    check_header,
    compress,
    decompress,
    merge_headers,
    parse_header,
    serialize_header,
)
from .iv import check_iv_length, generate_iv
from .keys import Key, KeySet, load_key, load_key_set
from .limits import DEFAULT_LIMITS, Limits
from .serialization import SERIALIZATIONS, ParsedJWE, parse, serialize_compact, serialize_json
from .trace import DecryptTrace, EncryptTrace

ENCRYPT_OPERATIONS = frozenset({"encrypt", "wrapKey", "deriveKey", "deriveBits"})
DECRYPT_OPERATIONS = frozenset({"decrypt", "unwrapKey", "deriveKey", "deriveBits"})


def _as_bytes(plaintext: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(plaintext, str):
        return plaintext.encode("utf-8")
    if isinstance(plaintext, bytes | bytearray | memoryview):
        return bytes(plaintext)
    raise InputError(
        "the plaintext has an unsupported type",
        expected="bytes or str (encoded as UTF-8)",
        found=type(plaintext).__name__,
        hint="Serialize objects first, e.g. json.dumps(obj).",
    )


def check_key_allows(key: Key, alg: str, *, decrypting: bool, enc: str | None = None) -> None:
    """A JWK's own ``alg``, ``use`` and ``key_ops``, when present, must fit this operation.

    With ``dir`` the key is the CEK, so its JWK ``alg`` may name the content encryption
    algorithm instead (RFC 7520 §5.6 binds its key with ``"alg": "A128GCM"``).
    """
    bound_to_enc = alg == "dir" and enc is not None and key.alg == enc
    if key.alg is not None and key.alg != alg and not bound_to_enc:
        raise InvalidKeyError(
            "the key is bound to another algorithm by its JWK 'alg'",
            expected=f"a token with alg {key.alg!r}",
            found=f"alg {alg!r}",
            hint="Use the key made for this algorithm, or ask the sender which alg they used.",
        )
    if key.use is not None and key.use != "enc":
        raise InvalidKeyError(
            "the key is not for encryption",
            expected="JWK 'use' of 'enc'",
            found=f"use {key.use!r}",
            hint="A signing key ('sig') must not be used to encrypt or decrypt.",
        )
    if key.key_ops is not None:
        allowed = DECRYPT_OPERATIONS if decrypting else ENCRYPT_OPERATIONS
        if not allowed.intersection(key.key_ops):
            raise InvalidKeyError(
                "the key's 'key_ops' do not permit this operation",
                expected="one of " + ", ".join(sorted(allowed)),
                found=", ".join(map(str, key.key_ops)) or "none",
            )


def resolve_key(material: Any, header: Mapping[str, Any]) -> Key:
    """One key: ``material`` itself, or the member of a key set that the header's kid names."""
    if isinstance(material, Key):  # the common case, settled before the Mapping ABC check
        return material
    if isinstance(material, KeySet) or (isinstance(material, Mapping) and "keys" in material):
        kid = header.get("kid")
        return load_key_set(material).select(kid if isinstance(kid, str) else None)
    return load_key(material)


# ---------------------------------------------------------------- encryption, RFC 7516 §5.1

RECIPIENT_FIELDS = frozenset({"key", "alg", "header", "ephemeral_key"})


@dataclass
class _Recipient:
    """One recipient as encrypt() handles it."""

    key: Key
    alg: str
    management: KeyManagement
    header: dict[str, Any]  # the per-recipient (unprotected) header
    ephemeral_key: Key | None


def _recipient_specs(
    key: Any,
    alg: str | None,
    recipient_header: Mapping[str, Any] | None,
    ephemeral_key: Any,
    recipients: Sequence[Mapping[str, Any]] | None,
) -> list[Mapping[str, Any]]:
    if recipients is None:
        if key is None or alg is None:
            raise InputError(
                "encrypt() needs a recipient",
                expected="key= and alg=, or recipients=[{'key': ..., 'alg': ...}, ...]",
                found="no key" if key is None else "no alg",
            )
        return [
            {"key": key, "alg": alg, "header": recipient_header, "ephemeral_key": ephemeral_key}
        ]
    given = [n for n, v in (("key", key), ("alg", alg), ("recipient_header", recipient_header),
                             ("ephemeral_key", ephemeral_key)) if v is not None]  # fmt: skip
    if given:
        raise InputError(
            "recipients= replaces key=, alg=, recipient_header= and ephemeral_key=",
            expected="each recipient's values inside its recipients entry",
            found="also " + ", ".join(given),
        )
    entries: Any = recipients
    if isinstance(entries, str | bytes) or not isinstance(entries, Sequence) or not entries:
        raise InputError(
            "recipients must be a non-empty list",
            expected="[{'key': ..., 'alg': ..., 'header': {...}}, ...]",
            found=type(recipients).__name__ if not isinstance(recipients, Sequence) else "nothing",
        )
    for index, spec in enumerate(recipients):
        if not isinstance(spec, Mapping) or "key" not in spec or "alg" not in spec:
            raise InputError(
                f"recipient {index} is incomplete",
                expected="a dict with 'key' and 'alg' (and optionally 'header', 'ephemeral_key')",
                found=type(spec).__name__
                if not isinstance(spec, Mapping)
                else "keys " + ", ".join(map(str, spec)),
            )
        unknown = set(spec) - RECIPIENT_FIELDS
        if unknown:
            raise InputError(
                f"recipient {index} has unknown fields",
                expected=", ".join(sorted(RECIPIENT_FIELDS)),
                found=", ".join(sorted(map(str, unknown))),
            )
    return list(recipients)


def _members(value: Mapping[str, Any] | None, label: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(name, str) for name in value):
        raise InputError(
            f"the {label} must be a dict of header parameters",
            expected="a dict with str names",
            found=type(value).__name__,
        )
    return dict(value)


def _engine_options(engine: str, oaep_seed: bytes | None, algs: list[Any]) -> dict[str, Any]:
    """Check ``oaep_seed`` against the engine and the recipients' algs; the options it adds."""
    if oaep_seed is None:
        return {}
    if engine != FROM_SCRATCH:
        raise InputError(
            "a fixed OAEP seed needs the from-scratch engine",
            expected="engine='from_scratch' together with oaep_seed",
            found=f"engine={engine!r}",
            hint="The cryptography library always draws its own OAEP seed.",
        )
    if not any(isinstance(a, str) and a.startswith("RSA-OAEP") for a in algs):
        raise InputError(
            "oaep_seed is only used by RSA-OAEP key encryption",
            expected="alg RSA-OAEP, RSA-OAEP-256, RSA-OAEP-384 or RSA-OAEP-512",
            found=", ".join(repr(a) for a in algs)[:80],
        )
    if not isinstance(oaep_seed, bytes):
        raise InputError("oaep_seed must be bytes", found=type(oaep_seed).__name__)
    return {OAEP_SEED_OPTION: oaep_seed}


def encrypt(
    plaintext: bytes | str,
    key: Any = None,
    *,
    alg: str | None = None,
    enc: str,
    header: Mapping[str, Any] | None = None,
    cek: bytes | None = None,
    iv: bytes | None = None,
    serialization: str = "compact",
    unprotected: Mapping[str, Any] | None = None,
    recipient_header: Mapping[str, Any] | None = None,
    aad: bytes | None = None,
    recipients: Sequence[Mapping[str, Any]] | None = None,
    ephemeral_key: Any = None,
    algorithms: Iterable[str] | None = None,
    engine: str = "cryptography",
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
        aad: the JSON serializations' extra authenticated data (the ``aad`` member).
        recipients: for general JSON with several recipients, instead of ``key``/``alg``/
            ``recipient_header``/``ephemeral_key``: a list of dicts with ``key``, ``alg`` and
            optionally ``header`` (per-recipient header) and ``ephemeral_key``. All share one
            CEK; each gets the CEK encrypted with its own ``alg``. With several recipients
            each ``alg`` goes in its per-recipient header unless a shared header sets it.
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
        An :class:`EncryptTrace`; ``.token`` is a str (compact) or a dict (JSON).
    """
    trace = EncryptTrace()
    check_engine(engine)
    ctx = Context(trace=trace, limits=DEFAULT_LIMITS, engine=engine)
    message = _as_bytes(plaintext)
    if serialization not in SERIALIZATIONS:
        raise InputError(
            "unknown serialization",
            expected=" or ".join(repr(name) for name in SERIALIZATIONS),
            found=repr(serialization)[:40],
        )
    content = registry.content_encryption(enc)
    allowed_algs, allowed_encs = _allowed(algorithms)
    _check_allowed("enc", enc, allowed_encs)
    protected_members = _members(header, "header")
    shared = _members(unprotected, "unprotected header")
    specs = _recipient_specs(key, alg, recipient_header, ephemeral_key, recipients)
    engine_options = _engine_options(engine, oaep_seed, [spec["alg"] for spec in specs])
    several = len(specs) > 1
    senders: list[_Recipient] = []
    for index, spec in enumerate(specs):
        management = registry.key_management(spec["alg"])
        _check_allowed("alg", spec["alg"], allowed_algs)
        own = _members(spec.get("header"), f"recipient {index} header")
        everything = {**protected_members, **shared, **own}
        recipient_key = resolve_key(spec["key"], everything)
        check_key_allows(recipient_key, spec["alg"], decrypting=False, enc=enc)
        fixed = spec.get("ephemeral_key")
        senders.append(
            _Recipient(
                recipient_key,
                spec["alg"],
                management,
                own,
                None if fixed is None else load_key(fixed),
            )
        )
    if several and any(s.management.generates_cek for s in senders):
        raise InputError(
            "direct encryption and direct key agreement have a single recipient",
            expected="one recipient for dir or ECDH-ES (RFC 7516 §5.1 step 2 fixes the CEK)",
            found=f"{len(senders)} recipients",
        )
    if serialization != "general" and several:
        raise InputError(
            f"the {serialization} serialization has exactly one recipient",
            expected="serialization='general' for several recipients",
            found=f"{len(senders)} recipients",
        )
    if serialization == "compact" and (shared or senders[0].header or aad is not None):
        raise InputError(
            "the compact serialization carries only the protected header",
            expected="no unprotected header, per-recipient header or aad with compact",
            found="unprotected header"
            if shared
            else "aad"
            if aad is not None
            else "recipient header",
            hint="Use serialization='flattened' or 'general'.",
        )

    # Where alg and enc go: where the caller put them, else the protected header (alg goes in
    # each per-recipient header when there are several recipients).
    for sender in senders:
        for name, value in (("alg", sender.alg), ("enc", enc)):
            for place in (protected_members, shared, sender.header):
                if name in place and place[name] != value:
                    raise InputError(
                        f"header member '{name}' disagrees with the {name} argument",
                        expected=repr(value),
                        found=repr(place[name])[:40],
                    )
    leading: dict[str, Any] = {}
    if not several and not any(
        "alg" in place for place in (protected_members, shared, senders[0].header)
    ):
        leading["alg"] = senders[0].alg
    if not any(
        "enc" in place for place in (protected_members, shared, *(s.header for s in senders))
    ):
        leading["enc"] = enc
    protected = {**leading, **protected_members}
    for sender in senders:
        if "alg" not in protected and "alg" not in shared and "alg" not in sender.header:
            sender.header = {"alg": sender.alg, **sender.header}

    def home(sender: _Recipient) -> dict[str, Any]:
        """The header that holds this recipient's alg: its kid and key parameters go there."""
        if several or "alg" in sender.header:
            return sender.header
        return shared if "alg" in shared else protected

    for sender in senders:
        merged = merge_headers(protected, shared, sender.header)
        if sender.key.kid is not None and "kid" not in merged:
            home(sender)["kid"] = sender.key.kid

    trace.add("plaintext", message, "the message to protect, as octets", "RFC 7516 §5.1 step 11")

    # Step 2: a random CEK, unless key management determines it.
    direct = senders[0].management.generates_cek
    if direct:
        if cek is not None:
            raise InputError(
                f"{senders[0].alg} determines the CEK itself",
                expected="no cek argument",
                found=f"a {len(cek)}-byte cek" if isinstance(cek, bytes) else type(cek).__name__,
            )
    else:
        if cek is None:
            cek = generate_cek(content)
        elif not isinstance(cek, bytes):
            raise InputError("cek must be bytes", found=type(cek).__name__)
        check_cek_length(cek, content)
        trace.add(
            "cek",
            cek,
            f"the content encryption key: {content.key_size} random bytes for {enc}",
            "RFC 7516 §5.1 step 2",
        )

    # Steps 1 and 3-7, for each recipient: the mode, then encrypt (or agree, or take) the CEK.
    encoded_keys: list[str] = []
    for index, sender in enumerate(senders):
        detail = {"recipient": index} if several else {}
        trace.add(
            "key_management_mode",
            sender.management.mode.value,
            f"{sender.alg} uses {sender.management.mode.value}: {sender.management.description}",
            "RFC 7516 §5.1 step 1",
            detail=detail,
        )
        ctx.options = {"ephemeral_key": sender.ephemeral_key} if sender.ephemeral_key else {}
        ctx.options.update(engine_options)
        merged = merge_headers(protected, shared, sender.header)
        wrapped = sender.management.wrap(sender.key, cek, content, merged, ctx)
        for name, value in wrapped.header_params.items():
            if name in merged:
                if merged[name] != value:
                    raise InputError(
                        f"header member '{name}' is set by {sender.alg} itself",
                        expected=f"no '{name}' in the header arguments, or the value "
                        f"{sender.alg} computes",
                        found=f"a different '{name}'",
                    )
            else:
                home(sender)[name] = value
        if direct:
            cek = wrapped.cek
            trace.add(
                "cek",
                cek,
                f"the content encryption key, determined by {sender.alg}: "
                + ("the shared key itself" if sender.alg == "dir" else "the Concat KDF output"),
                "RFC 7516 §5.1 step 2",
                inputs=() if sender.alg == "dir" else ("derived_key",),
            )
        trace.add(
            "encrypted_key",
            wrapped.encrypted_key,
            f"the CEK encrypted to the recipient with {sender.alg}"
            if wrapped.encrypted_key
            else f"empty: with {sender.alg} there is no encrypted key",
            "RFC 7516 §5.1 step 4" if wrapped.encrypted_key else "RFC 7516 §5.1 steps 5-6",
            inputs=("cek",),
            operation=f"{sender.alg}(recipient key, CEK)",
            detail=detail,
        )
        # Step 7.
        encoded_keys.append(b64url_encode(wrapped.encrypted_key))
    assert cek is not None

    # Step 9: a fresh IV of the size enc needs.
    if iv is None:
        iv = generate_iv(content)
    elif not isinstance(iv, bytes):
        raise InputError("iv must be bytes", found=type(iv).__name__)
    check_iv_length(iv, content)
    trace.add(
        "iv",
        iv,
        f"the initialization vector: {content.iv_size} fresh bytes",
        "RFC 7516 §5.1 step 9",
    )

    # Step 10 (and 4.1.3): compress when the protected header says zip.
    unions = [merge_headers(protected, shared, sender.header) for sender in senders]
    for union in unions:
        check_header(union, protected=protected)
    content_input = message
    if protected.get("zip") == "DEF":
        compressed = compress(message)
        content_input = trace.add(
            "compressed_plaintext",
            compressed,
            f"the plaintext compressed with raw DEFLATE ({len(message)} -> "
            f"{len(compressed)} bytes)",
            "RFC 7516 §5.1 step 10",
            inputs=("plaintext",),
            operation="DEFLATE(plaintext)",
        )

    # Step 12: the JOSE header.
    trace.header = unions[0]
    trace.add(
        "header",
        unions[0] if not several else {**protected, **shared},
        "the JOSE header: every member, as JSON"
        if not several
        else "the JOSE header members shared by every recipient",
        "RFC 7516 §5.1 step 12",
    )
    if shared:
        trace.add("unprotected_header", shared, "the shared unprotected header", "RFC 7516 §7.2.1")
    if serialization != "compact":
        for index, sender in enumerate(senders):
            if sender.header:
                trace.add(
                    "recipient_header",
                    sender.header,
                    f"recipient {index}'s per-recipient unprotected header",
                    "RFC 7516 §7.2.1",
                    detail={"recipient": index},
                )
    protected_bytes = trace.add(
        "protected_header",
        serialize_header(protected) if protected else b"",
        "UTF8(JSON) of the protected header: these exact bytes are integrity protected",
        "RFC 7516 §5.1 step 12",
        inputs=("header",),
        operation="UTF8(JSON(header))",
    )

    # Step 13.
    encoded_header = trace.add(
        "encoded_protected_header",
        b64url_encode(protected_bytes),
        "BASE64URL(UTF8(JWE Protected Header)): the token's first part",
        "RFC 7516 §5.1 step 13",
        inputs=("protected_header",),
        operation="BASE64URL(protected_header)",
    )

    # Step 14: the AAD, with the JSON serializations' aad member when there is one.
    encoded_aad = None
    if aad is not None:
        if not isinstance(aad, bytes):
            raise InputError("aad must be bytes", found=type(aad).__name__)
        trace.add(
            "jwe_aad",
            aad,
            "the JWE AAD: extra data authenticated but not encrypted",
            "RFC 7516 §5.1 step 14",
        )
        encoded_aad = b64url_encode(aad)
    aad_value = trace.add(
        "aad",
        compute_aad(encoded_header, encoded_aad),
        "the additional authenticated data: the encoded header as ASCII bytes"
        + ("" if encoded_aad is None else ", '.', and BASE64URL(JWE AAD)"),
        "RFC 7516 §5.1 step 14",
        inputs=("encoded_protected_header",)
        if encoded_aad is None
        else ("encoded_protected_header", "jwe_aad"),
        operation="ASCII(encoded_protected_header)"
        if encoded_aad is None
        else "ASCII(encoded_protected_header || '.' || BASE64URL(jwe_aad))",
    )

    # Step 15.
    ciphertext, tag = content.encrypt(cek, iv, content_input, aad_value, ctx)
    source = "compressed_plaintext" if content_input is not message else "plaintext"
    trace.add(
        "ciphertext",
        ciphertext,
        f"the plaintext encrypted with {enc}",
        "RFC 7516 §5.1 step 15",
        inputs=("cek", "iv", source, "aad"),
        operation=f"{enc}-Encrypt(CEK, IV, {source}, AAD)",
    )
    trace.add(
        "tag",
        tag,
        f"the {8 * content.tag_size}-bit authentication tag over AAD and ciphertext",
        "RFC 7516 §5.1 step 15",
        inputs=("cek", "iv", "aad", "ciphertext"),
        operation=f"{enc} authentication tag",
    )

    # Steps 16-19: encode and assemble.
    token: str | dict[str, Any]
    if serialization == "compact":
        token = serialize_compact(
            encoded_header,
            encoded_keys[0],
            b64url_encode(iv),
            b64url_encode(ciphertext),
            b64url_encode(tag),
        )
        meaning = "the compact serialization: header.encrypted_key.iv.ciphertext.tag"
        section = "RFC 7516 §5.1 step 19, §7.1"
    else:
        token = serialize_json(
            encoded_protected_header=encoded_header,
            unprotected=shared,
            recipients=[(s.header, k) for s, k in zip(senders, encoded_keys, strict=True)],
            encoded_aad=encoded_aad,
            encoded_iv=b64url_encode(iv),
            encoded_ciphertext=b64url_encode(ciphertext),
            encoded_tag=b64url_encode(tag),
            flattened=serialization == "flattened",
        )
        meaning = f"the {serialization} JSON serialization"
        section = "RFC 7516 §5.1 step 19, §7.2"
    trace.token = trace.add("token", token, meaning, section)
    return trace


# ---------------------------------------------------------------- decryption, RFC 7516 §5.2


def _allowed(algorithms_arg: Iterable[str] | None) -> tuple[frozenset[str], frozenset[str]]:
    """Split an allow-list into allowed ``alg`` and ``enc`` names.

    A list that names no ``enc`` at all leaves ``enc`` at the default set (and likewise for
    ``alg``), so ``algorithms=["RSA-OAEP-256"]`` means "only this alg".
    """
    default_algs, default_encs = registry.default_allow_lists()
    if algorithms_arg is None:
        return default_algs, default_encs
    if isinstance(algorithms_arg, str):
        algorithms_arg = [algorithms_arg]
    names = frozenset(algorithms_arg)
    algs = names & frozenset(registry.KEY_MANAGEMENT)
    encs = names & frozenset(registry.CONTENT_ENCRYPTION)
    unknown = names - algs - encs
    if unknown:
        raise InputError(
            "the allow-list names unknown algorithms",
            expected="registered alg/enc names",
            found=", ".join(sorted(map(str, unknown))),
        )
    return (algs or default_algs), (encs or default_encs)


def _check_allowed(kind: str, name: str, allowed: frozenset[str]) -> None:
    if name not in allowed:
        hint = None
        if name == "RSA1_5":
            hint = (
                "RSA1_5 is refused by default (padding-oracle attacks); allow-list it explicitly."
            )
        raise AlgorithmError(
            f"'{kind}' {name!r} is not allowed",
            expected="one of " + ", ".join(sorted(allowed)),
            found=repr(name),
            hint=hint,
        )


def decrypt(
    token: str | bytes | Mapping[str, Any],
    key: Any,
    *,
    algorithms: Iterable[str] | None = None,
    limits: Limits | None = None,
    engine: str = "cryptography",
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
    trace = DecryptTrace()
    run_decryption(
        token, key, trace, algorithms=algorithms, limits=limits, reveal=False, engine=engine
    )
    return trace


def _token_size(token: Any) -> int:
    if isinstance(token, str | bytes | bytearray):
        return len(token)
    if isinstance(token, Mapping):
        try:
            return len(json.dumps(token, default=lambda _: ""))
        except (TypeError, ValueError, RecursionError):
            return 0  # not JSON: parse() reports what is wrong with it
    return 0


# Errors that mean "this recipient is not for this key" when a general JSON token lists several.
_NOT_THIS_RECIPIENT = (
    AlgorithmError,
    InvalidKeyError,
    HeaderError,
    KeyManagementError,
    CEKLengthError,
)


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
    """The §5.2 steps, recorded into ``trace`` as they happen.

    With ``reveal=False`` (decrypt) a CEK that cannot be recovered is replaced by a random one
    (RFC 7516 §11.5). With ``reveal=True`` (explain, for your own keys only) the real failure
    is raised at the stage where it happens, and ``trace`` holds every step before it.
    """
    limits = limits or DEFAULT_LIMITS
    check_engine(engine)
    allowed = _allowed(algorithms)
    size = _token_size(token)
    if size > limits.max_token_bytes:
        raise SizeLimitError(
            "the token is larger than the configured limit",
            expected=f"at most {limits.max_token_bytes} bytes",
            found=f"{size} bytes",
            hint="Raise Limits(max_token_bytes=...) if such tokens are legitimate.",
        )

    # Steps 1-2: split into parts and base64url-decode each.
    trace.add(
        "token",
        token,
        "the JWE as received",
        "RFC 7516 §7.1"
        if isinstance(token, str) and not token.lstrip().startswith("{")
        else "RFC 7516 §7",
    )
    parsed = parse(token, max_recipients=limits.max_recipients)
    single = len(parsed.recipients) == 1
    trace.add(
        "encoded_protected_header",
        parsed.encoded_protected_header,
        "the protected header as received: its exact text is the AAD",
        "RFC 7516 §5.2 step 1",
    )
    protected_bytes = trace.add(
        "protected_header",
        parsed.protected_header,
        "UTF8(JSON) of the protected header, decoded from part 1",
        "RFC 7516 §5.2 step 2",
        inputs=("encoded_protected_header",),
        operation="BASE64URL-DECODE(part 1)",
    )
    if single:
        trace.add(
            "encrypted_key",
            parsed.recipients[0].encrypted_key,
            "the encrypted CEK, from part 2",
            "RFC 7516 §5.2 step 2",
        )
    trace.add("iv", parsed.iv, "the initialization vector, from part 3", "RFC 7516 §5.2 step 2")
    trace.add(
        "ciphertext",
        parsed.ciphertext,
        "the encrypted content, from part 4",
        "RFC 7516 §5.2 step 2",
    )
    trace.add("tag", parsed.tag, "the authentication tag, from part 5", "RFC 7516 §5.2 step 2")
    if parsed.aad is not None:
        trace.add(
            "jwe_aad", parsed.aad, "the JWE AAD, from the 'aad' member", "RFC 7516 §5.2 step 2"
        )

    # Steps 3-5: the header is valid JSON, the three headers are disjoint, alg/enc present,
    # nothing we do not understand. Every recipient's header is checked, not only the one used.
    protected = parse_header(protected_bytes) if parsed.encoded_protected_header else {}
    if parsed.unprotected:
        trace.add(
            "unprotected_header",
            parsed.unprotected,
            "the shared unprotected header",
            "RFC 7516 §7.2.1",
        )
    headers = [merge_headers(protected, parsed.unprotected, r.header) for r in parsed.recipients]
    for jose_header in headers:
        check_header(jose_header, protected=protected)

    if single:
        _decrypt_recipient(
            parsed,
            0,
            headers[0],
            key,
            trace,
            allowed,
            limits,
            reveal=reveal,
            several=False,
            engine=engine,
        )
        return

    # General JSON with several recipients: the first one this key opens (RFC 7516 §5.2 step 14).
    skipped: list[JWEError] = []
    failure: tuple[DecryptionFailedError, DecryptTrace] | None = None
    pbes2_work = 0
    for index, jose_header in enumerate(headers):
        # PBKDF2 work adds up across recipients: one token may not ask for more in total than
        # a single recipient may (Limits.max_p2c).
        p2c = jose_header.get("p2c")
        if str(jose_header.get("alg", "")).startswith("PBES2") and isinstance(p2c, int):
            pbes2_work += max(p2c, 0)
            if pbes2_work > limits.max_p2c:
                raise HeaderError(
                    "the recipients' PBES2 iteration counts add up to more than the cap",
                    expected=f"at most {limits.max_p2c} iterations in all (Limits.max_p2c)",
                    found=f"more, by recipient {index}",
                    hint="Raise Limits(max_p2c=...) if this sender is trusted.",
                )
        attempt = DecryptTrace()
        try:
            _decrypt_recipient(
                parsed,
                index,
                jose_header,
                key,
                attempt,
                allowed,
                limits,
                reveal=reveal,
                several=True,
                engine=engine,
            )
        except DecryptionFailedError as error:
            failure = failure or (error, attempt)
            continue
        except _NOT_THIS_RECIPIENT as error:
            skipped.append(error)
            continue
        trace.steps.extend(attempt.steps)
        trace.header, trace.plaintext = attempt.header, attempt.plaintext
        return
    if failure is not None:
        trace.steps.extend(failure[1].steps)
        raise failure[0]
    raise InvalidKeyError(
        "no recipient of this token can be decrypted with this key",
        expected="a recipient whose alg is allowed and fits the key",
        found="; ".join(f"recipient {i}: [{e.stage}] {e.message}" for i, e in enumerate(skipped))[
            :400
        ],
    )


def _decrypt_recipient(
    parsed: ParsedJWE,
    index: int,
    jose_header: dict[str, Any],
    key: Any,
    trace: DecryptTrace,
    allowed: tuple[frozenset[str], frozenset[str]],
    limits: Limits,
    *,
    reveal: bool,
    several: bool,
    engine: str = "cryptography",
) -> None:
    """§5.2 steps 6-17 for one recipient, recorded into ``trace``."""
    ctx = Context(trace=trace, limits=limits, engine=engine)
    detail = {"recipient": index} if several else {}
    trace.header = jose_header
    trace.add(
        "header",
        jose_header,
        "the JOSE header: the union of the protected, shared and per-recipient headers"
        if parsed.serialization != "compact"
        else "the JOSE header, parsed from the protected header",
        "RFC 7516 §5.2 steps 3-4",
        detail=detail,
    )

    # Step 6: the algorithms, and whether the caller allows them.
    alg, enc = jose_header["alg"], jose_header["enc"]
    key_management: KeyManagement = registry.key_management(alg)
    content: ContentEncryption = registry.content_encryption(enc)
    _check_allowed("alg", alg, allowed[0])
    _check_allowed("enc", enc, allowed[1])
    trace.add(
        "key_management_mode",
        key_management.mode.value,
        f"{alg} uses {key_management.mode.value}: {key_management.description}",
        "RFC 7516 §5.2 step 6",
        detail=detail,
    )

    # Step 7: a key known to the recipient, allowed for this alg.
    recipient = resolve_key(key, jose_header)
    check_key_allows(recipient, alg, decrypting=True, enc=enc)
    if several and recipient.kty not in key_management.key_types:
        raise InvalidKeyError(
            f"{alg} cannot use this kind of key",
            expected=" or ".join(key_management.key_types),
            found=recipient.kty,
        )
    encrypted_key = parsed.recipients[index].encrypted_key
    if several:
        trace.add(
            "encrypted_key",
            encrypted_key,
            f"recipient {index}'s encrypted CEK",
            "RFC 7516 §5.2 step 2",
            detail=detail,
        )

    # Steps 8-12: recover the CEK.
    try:
        cek = key_management.unwrap(recipient, encrypted_key, content, jose_header, ctx)
        check_cek_length(cek, content)
    except (KeyManagementError, CEKLengthError):
        if reveal:
            raise
        # RFC 7516 §11.5: carry on with a random CEK so the failure shows up at the tag,
        # indistinguishable from a tampered token.
        cek = os.urandom(content.key_size)
    trace.add(
        "cek",
        cek,
        f"the content encryption key, recovered with {alg}",
        "RFC 7516 §5.2 step 9" if not key_management.generates_cek else "RFC 7516 §5.2 steps 10-11",
        inputs=("encrypted_key",),
        operation=f"{alg}-Decrypt(private key, encrypted_key)",
    )

    # The IV and tag must have the sizes enc uses.
    check_iv_length(parsed.iv, content)
    if len(parsed.tag) != content.tag_size:
        raise TagLengthError(
            f"the authentication tag does not fit {enc}",
            expected=f"{content.tag_size} bytes",
            found=f"{len(parsed.tag)} bytes",
            hint="An empty tag part often means the tag was appended to the ciphertext.",
        )

    # Steps 14-15: AAD from the header exactly as received (and the aad member, if any).
    json_aad = parsed.encoded_aad is not None
    aad = trace.add(
        "aad",
        compute_aad(parsed.encoded_protected_header, parsed.encoded_aad),
        "the additional authenticated data: the received header part as ASCII bytes"
        + (", '.', and the received aad member" if json_aad else ""),
        "RFC 7516 §5.2 step 15",
        inputs=("encoded_protected_header", "jwe_aad")
        if json_aad
        else ("encoded_protected_header",),
        operation="ASCII(encoded_protected_header || '.' || aad)"
        if json_aad
        else "ASCII(encoded_protected_header)",
    )

    # Step 16: authenticated decryption.
    content_output = content.decrypt(cek, parsed.iv, parsed.ciphertext, parsed.tag, aad, ctx)
    operation = f"{enc}-Decrypt(CEK, IV, ciphertext, AAD, tag)"
    if jose_header.get("zip") == "DEF":
        trace.add(
            "compressed_plaintext",
            content_output,
            f"the content, decrypted and authenticated with {enc}; still DEFLATE-compressed",
            "RFC 7516 §5.2 step 16",
            inputs=("cek", "iv", "ciphertext", "tag", "aad"),
            operation=operation,
        )
        # Step 17: inflate, never past the cap.
        trace.plaintext = trace.add(
            "plaintext",
            decompress(content_output, limits.max_decompressed_bytes),
            "the content, inflated from raw DEFLATE (zip 'DEF')",
            "RFC 7516 §5.2 step 17",
            inputs=("compressed_plaintext",),
            operation="INFLATE(compressed_plaintext)",
        )
        return
    trace.plaintext = trace.add(
        "plaintext",
        content_output,
        f"the content, decrypted and authenticated with {enc}",
        "RFC 7516 §5.2 step 16",
        inputs=("cek", "iv", "ciphertext", "tag", "aad"),
        operation=operation,
    )


__all__ = ["decrypt", "encrypt", "run_decryption"]
