"""Encryption, RFC 7516 §5.1, one function per step group, recorded in an EncryptTrace.

:func:`perform_encrypt` is the conductor: it calls the step groups in the RFC's order.

==========================  ================================================================
``plan_encryption``         the arguments checked; ``pre_encrypt_recipients``: each
                            recipient's alg looked up and allowed, its key loaded and bound
``place_headers``           §5.1 step 12 (where alg, enc, kid go), before the keys need them
``content_key``             step 2: a random CEK unless key management determines it
``encrypt_recipients``      steps 1, 3-8: per recipient ``encrypt_cek`` (steps 1, 3-4, 7),
                            or for a direct mode ``determine_cek`` (steps 1, 3 or 6, 5, 7)
``initialization_vector``   steps 9-10
``compress_content``        step 11 (``zip``)
``protect_header``          steps 12-13: the JOSE header, UTF8(JSON) and its encoding
``additional_data``         step 14
``encrypt_content``         steps 15-18
``assemble``                step 19
==========================  ================================================================

The arguments themselves are checked in :mod:`jwe_steps.encryption_arguments`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import algorithms as registry
from .aad import compute_aad
from .algorithms import ContentEncryption, Context, KeyManagement, WrappedKey
from .allow_list import allowed_algorithms, check_allowed
from .b64 import b64url_encode
from .cek import check_cek_length, generate_cek
from .deflate import DEFLATE, compress

# The argument checks live beside this module; their names stay importable from here.
from .encryption_arguments import (
    RECIPIENT_FIELDS,
    Recipient,
    as_plaintext,
    check_oaep_seed,
    header_members,
    recipient_list,
)
from .errors import InputError
from .header import (
    add_parameters,
    check_header,
    check_header_arguments,
    home_of_alg,
    merge_headers,
    place_alg_and_enc,
    serialize_header,
)
from .iv import check_iv_length, generate_iv
from .keys import Key, load_key, recipient_key
from .limits import DEFAULT_LIMITS
from .primitives import primitives_for
from .serialization import SERIALIZATIONS, serialize_compact, serialize_json
from .trace import EncryptTrace


@dataclass(repr=False)
class CompactEncryptTrace(EncryptTrace):
    """What :func:`jwe_steps.encrypt` did for the compact serialization: ``.token`` is a str."""

    token: str = ""


@dataclass(repr=False)
class JSONEncryptTrace(EncryptTrace):
    """What :func:`jwe_steps.encrypt` did for a JSON serialization: ``.token`` is a dict."""

    token: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sender:
    """One recipient as encryption handles it: the key loaded, the algorithm looked up."""

    key: Key
    alg: str
    management: KeyManagement
    header: dict[str, Any]  # the per-recipient (unprotected) header
    ephemeral_key: Key | None


@dataclass
class Plan:
    """What §5.1 works on once the arguments are checked."""

    message: bytes
    content: ContentEncryption
    serialization: str
    protected: dict[str, Any]
    shared: dict[str, Any]
    senders: list[Sender]
    aad: bytes | None
    several: bool


def pre_encrypt_recipients(
    recipients: list[Recipient],
    enc: str,
    everything_but_own: Mapping[str, Any],
    allowed_algs: frozenset[str],
) -> list[Sender]:
    """Each recipient's algorithm looked up and allowed, and its key loaded and bound (the
    sending side of RFC 7516 §5.2 step 7)."""
    senders: list[Sender] = []
    for index, entry in enumerate(recipients):
        management = registry.key_management(entry.alg)
        check_allowed("alg", entry.alg, allowed_algs)
        own = header_members(entry.header, f"recipient {index} header")
        key = recipient_key(
            entry.key, {**everything_but_own, **own}, entry.alg, decrypting=False, enc=enc
        )
        fixed = None if entry.ephemeral_key is None else load_key(entry.ephemeral_key)
        senders.append(Sender(key, entry.alg, management, own, fixed))
    return senders


def check_recipient_count(plan: Plan) -> None:
    """Direct modes and the compact and flattened serializations have a single recipient;
    compact carries only the protected header."""
    senders, serialization = plan.senders, plan.serialization
    if plan.several and any(s.management.generates_cek for s in senders):
        raise InputError(
            "direct encryption and direct key agreement have a single recipient",
            code="input.recipients",
            expected="one recipient for dir or ECDH-ES (RFC 7516 §5.1 step 2 fixes the CEK)",
            found=f"{len(senders)} recipients",
        )
    if serialization != "general" and plan.several:
        raise InputError(
            f"the {serialization} serialization has exactly one recipient",
            code="input.recipients",
            expected="serialization='general' for several recipients",
            found=f"{len(senders)} recipients",
        )
    if serialization == "compact" and (plan.shared or senders[0].header or plan.aad is not None):
        raise InputError(
            "the compact serialization carries only the protected header",
            code="input.compact_headers",
            expected="no unprotected header, per-recipient header or aad with compact",
            found="unprotected header"
            if plan.shared
            else "aad"
            if plan.aad is not None
            else "recipient header",
            hint="Use serialization='flattened' or 'general'.",
        )


# ---------------------------------------------------------------- §5.1 step 12 (placement)


def place_headers(plan: Plan, enc: str) -> None:
    """Where ``alg``, ``enc`` and each key's ``kid`` go (the members of §5.1 step 12 that the
    key management steps already read)."""
    for sender in plan.senders:
        check_header_arguments(
            (plan.protected, plan.shared, sender.header), {"alg": sender.alg, "enc": enc}
        )
    own_headers = [s.header for s in plan.senders]
    algs = [s.alg for s in plan.senders]
    plan.protected = place_alg_and_enc(plan.protected, plan.shared, own_headers, algs, enc)
    for sender in plan.senders:
        merged = merge_headers(plan.protected, plan.shared, sender.header)
        if sender.key.kid is not None and "kid" not in merged:
            home_of_alg(plan.protected, plan.shared, sender.header, several=plan.several)["kid"] = (
                sender.key.kid
            )


# ---------------------------------------------------------------- §5.1 step 2


def content_key(plan: Plan, cek: object, trace: EncryptTrace) -> bytes | None:
    """Step 2: a random CEK (or the one given), unless key management determines it (None)."""
    content, first = plan.content, plan.senders[0]
    if first.management.generates_cek:
        if cek is not None:
            raise InputError(
                f"{first.alg} determines the CEK itself",
                code="input.cek",
                expected="no cek argument",
                found=f"a {len(cek)}-byte cek" if isinstance(cek, bytes) else type(cek).__name__,
            )
        return None
    if cek is None:
        cek = generate_cek(content)
    elif not isinstance(cek, bytes):
        raise InputError("cek must be bytes", code="input.cek", found=type(cek).__name__)
    check_cek_length(cek, content)
    trace.add(
        "cek",
        cek,
        f"the content encryption key: {content.key_size} random bytes for {content.name}",
        "RFC 7516 §5.1 step 2",
    )
    return cek


# ---------------------------------------------------------------- §5.1 steps 1, 3-8


def encrypt_recipients(
    plan: Plan, cek: bytes | None, ctx: Context, trace: EncryptTrace
) -> tuple[bytes, list[str]]:
    """Steps 1 and 3-7 for each recipient (step 8: repeat): the mode, then the CEK encrypted,
    agreed or taken, and BASE64URL(JWE Encrypted Key). Returns the CEK and the encoded keys.

    ``cek`` is None exactly when the (single) recipient's mode determines the CEK."""
    encoded_keys: list[str] = []
    if cek is None:
        return determine_cek(plan, plan.senders[0], ctx, trace, encoded_keys), encoded_keys
    for index, sender in enumerate(plan.senders):
        encrypt_cek(plan, index, sender, cek, ctx, trace, encoded_keys)
    return cek, encoded_keys


def key_management_mode(
    sender: Sender, detail: dict[str, Any], ctx: Context, trace: EncryptTrace
) -> None:
    """Step 1: the Key Management Mode of the recipient's alg recorded; the recipient's own
    inputs (a fixed ephemeral key) set on ``ctx``."""
    management = sender.management
    trace.add(
        "key_management_mode",
        management.mode.value,
        f"{sender.alg} uses {management.mode.value}: {management.description}",
        "RFC 7516 §5.1 step 1",
        detail=detail,
    )
    ctx.options = {"ephemeral_key": sender.ephemeral_key} if sender.ephemeral_key else {}


def record_encrypted_key(
    plan: Plan,
    sender: Sender,
    wrapped: WrappedKey,
    merged: Mapping[str, Any],
    detail: dict[str, Any],
    trace: EncryptTrace,
    encoded_keys: list[str],
) -> None:
    """The header parameters key management added (placed with the recipient's alg), the
    encrypted key (step 4, or empty: step 5) and its encoding (step 7)."""
    home = home_of_alg(plan.protected, plan.shared, sender.header, several=plan.several)
    add_parameters(home, merged, wrapped.header_params, sender.alg)
    trace.add(
        "encrypted_key",
        wrapped.encrypted_key,
        f"the CEK encrypted to the recipient with {sender.alg}"
        if wrapped.encrypted_key
        else f"empty: with {sender.alg} there is no encrypted key",
        "RFC 7516 §5.1 step 4" if wrapped.encrypted_key else "RFC 7516 §5.1 step 5",
        inputs=("cek",),
        operation=f"{sender.alg}(recipient key, CEK)",
        detail=detail,
    )
    encoded_keys.append(b64url_encode(wrapped.encrypted_key))


def encrypt_cek(
    plan: Plan,
    index: int,
    sender: Sender,
    cek: bytes,
    ctx: Context,
    trace: EncryptTrace,
    encoded_keys: list[str],
) -> None:
    """Steps 1, 3-4 and 7 for a recipient whose mode encrypts the CEK it is given."""
    detail = {"recipient": index} if plan.several else {}
    key_management_mode(sender, detail, ctx, trace)
    merged = merge_headers(plan.protected, plan.shared, sender.header)
    wrapped = sender.management.wrap(sender.key, cek, plan.content, merged, ctx)
    record_encrypted_key(plan, sender, wrapped, merged, detail, trace, encoded_keys)


def determine_cek(
    plan: Plan, sender: Sender, ctx: Context, trace: EncryptTrace, encoded_keys: list[str]
) -> bytes:
    """Steps 1, 3 (ECDH-ES: the CEK agreed) or 6 (dir: the shared key is the CEK), 5 and 7
    for the one recipient of a direct mode; the encrypted key is empty."""
    key_management_mode(sender, {}, ctx, trace)
    merged = merge_headers(plan.protected, plan.shared, sender.header)
    wrapped = sender.management.determine_cek(sender.key, plan.content, merged, ctx)
    agreed = sender.management.mode is registry.Mode.DIRECT_KEY_AGREEMENT
    trace.add(
        "cek",
        wrapped.cek,
        f"the content encryption key, determined by {sender.alg}: "
        + ("the Concat KDF output" if agreed else "the shared key itself"),
        "RFC 7516 §5.1 step 3" if agreed else "RFC 7516 §5.1 step 6",
        inputs=("derived_key",) if agreed else (),
    )
    record_encrypted_key(plan, sender, wrapped, merged, {}, trace, encoded_keys)
    return wrapped.cek


# ---------------------------------------------------------------- §5.1 steps 9-11


def initialization_vector(content: ContentEncryption, iv: object, trace: EncryptTrace) -> bytes:
    """Steps 9-10: a fresh IV of the size ``enc`` needs (or the one given)."""
    if iv is None:
        iv = generate_iv(content)
    elif not isinstance(iv, bytes):
        raise InputError("iv must be bytes", code="input.type", found=type(iv).__name__)
    check_iv_length(iv, content)
    trace.add(
        "iv",
        iv,
        f"the initialization vector: {content.iv_size} fresh bytes",
        "RFC 7516 §5.1 step 9",
    )
    return iv


def compress_content(plan: Plan, trace: EncryptTrace) -> bytes:
    """Step 11: M, the plaintext compressed when the protected header says ``zip``."""
    message = plan.message
    if plan.protected.get("zip") != DEFLATE:
        return message
    compressed = compress(message)
    return trace.add(
        "compressed_plaintext",
        compressed,
        f"the plaintext compressed with raw DEFLATE ({len(message)} -> {len(compressed)} bytes)",
        "RFC 7516 §5.1 step 11",
        inputs=("plaintext",),
        operation="DEFLATE(plaintext)",
    )


# ---------------------------------------------------------------- §5.1 steps 12-14


def protect_header(plan: Plan, unions: list[dict[str, Any]], trace: EncryptTrace) -> str:
    """Steps 12-13: the JOSE header recorded, the protected header serialized and encoded."""
    protected, shared = plan.protected, plan.shared
    trace.header = unions[0]
    trace.add(
        "header",
        unions[0] if not plan.several else {**protected, **shared},
        "the JOSE header: every member, as JSON"
        if not plan.several
        else "the JOSE header members shared by every recipient",
        "RFC 7516 §5.1 step 12",
    )
    if shared:
        trace.add("unprotected_header", shared, "the shared unprotected header", "RFC 7516 §7.2.1")
    if plan.serialization != "compact":
        for index, sender in enumerate(plan.senders):
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
    encoded: str = trace.add(
        "encoded_protected_header",
        b64url_encode(protected_bytes),
        "BASE64URL(UTF8(JWE Protected Header)): the token's first part",
        "RFC 7516 §5.1 step 13",
        inputs=("protected_header",),
        operation="BASE64URL(protected_header)",
    )
    return encoded


def additional_data(
    encoded_header: str, aad: bytes | None, trace: EncryptTrace
) -> tuple[bytes, str | None]:
    """Step 14: the AAD, with the JSON serializations' ``aad`` member when there is one."""
    encoded_aad = None
    if aad is not None:
        trace.add(
            "jwe_aad",
            aad,
            "the JWE AAD: extra data authenticated but not encrypted",
            "RFC 7516 §5.1 step 14",
        )
        encoded_aad = b64url_encode(aad)
    value = trace.add(
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
    return value, encoded_aad


# ---------------------------------------------------------------- §5.1 steps 15-19


def encrypt_content(
    plan: Plan,
    cek: bytes,
    iv: bytes,
    content_input: bytes,
    aad: bytes,
    ctx: Context,
    trace: EncryptTrace,
) -> tuple[bytes, bytes]:
    """Step 15: the ciphertext and tag (steps 16-18 encode them, in :func:`assemble`)."""
    content = plan.content
    ciphertext, tag = content.encrypt(cek, iv, content_input, aad, ctx)
    source = "compressed_plaintext" if content_input is not plan.message else "plaintext"
    trace.add(
        "ciphertext",
        ciphertext,
        f"the plaintext encrypted with {content.name}",
        "RFC 7516 §5.1 step 15",
        inputs=("cek", "iv", source, "aad"),
        operation=f"{content.name}-Encrypt(CEK, IV, {source}, AAD)",
    )
    trace.add(
        "tag",
        tag,
        f"the {8 * content.tag_size}-bit authentication tag over AAD and ciphertext",
        "RFC 7516 §5.1 step 15",
        inputs=("cek", "iv", "aad", "ciphertext"),
        operation=f"{content.name} authentication tag",
    )
    return ciphertext, tag


def assemble(
    plan: Plan,
    encoded_header: str,
    encoded_keys: list[str],
    encoded_aad: str | None,
    iv: bytes,
    ciphertext: bytes,
    tag: bytes,
    trace: EncryptTrace,
) -> None:
    """Steps 16-19: encode IV, ciphertext and tag, and assemble the serialization."""
    token: str | dict[str, Any]
    if plan.serialization == "compact":
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
            unprotected=plan.shared,
            recipients=[(s.header, k) for s, k in zip(plan.senders, encoded_keys, strict=True)],
            encoded_aad=encoded_aad,
            encoded_iv=b64url_encode(iv),
            encoded_ciphertext=b64url_encode(ciphertext),
            encoded_tag=b64url_encode(tag),
            flattened=plan.serialization == "flattened",
        )
        meaning = f"the {plan.serialization} JSON serialization"
        section = "RFC 7516 §5.1 step 19, §7.2"
    trace.token = trace.add("token", token, meaning, section)


# ---------------------------------------------------------------- the conductor


def perform_encrypt(
    plaintext: object,
    key: Any,
    *,
    alg: str | None,
    enc: str,
    header: Mapping[str, Any] | None,
    cek: object,
    iv: object,
    serialization: str,
    unprotected: Mapping[str, Any] | None,
    recipient_header: Mapping[str, Any] | None,
    aad: object,
    recipients: Sequence[Recipient | Mapping[str, Any]] | None,
    ephemeral_key: Any,
    algorithms: Iterable[str] | None,
    engine: str,
    oaep_seed: object,
) -> EncryptTrace:
    """RFC 7516 §5.1, step group by step group (see the module docstring)."""
    primitives = primitives_for(engine)  # an unknown engine is refused before any work
    trace: EncryptTrace = (
        CompactEncryptTrace() if serialization == "compact" else JSONEncryptTrace()
    )
    plan = plan_encryption(
        plaintext, key, alg=alg, enc=enc, header=header, serialization=serialization,
        unprotected=unprotected, recipient_header=recipient_header, aad=aad,
        recipients=recipients, ephemeral_key=ephemeral_key, algorithms=algorithms,
    )  # fmt: skip
    if oaep_seed is not None:
        seed = check_oaep_seed(engine, oaep_seed, [s.alg for s in plan.senders])
        primitives = primitives_for(engine, oaep_seed=seed)
    ctx = Context(trace, DEFAULT_LIMITS, primitives)
    place_headers(plan, enc)  # step 12, the members key management reads
    trace.add(
        "plaintext", plan.message, "the message to protect, as octets", "RFC 7516 §5.1 step 11"
    )
    given_or_random = content_key(plan, cek, trace)  # step 2
    the_cek, encoded_keys = encrypt_recipients(plan, given_or_random, ctx, trace)  # 1, 3-8
    the_iv = initialization_vector(plan.content, iv, trace)  # steps 9-10
    # What is sent must pass what a recipient checks (§5.2 steps 4-5): disjoint, understood.
    unions = [merge_headers(plan.protected, plan.shared, s.header) for s in plan.senders]
    for union in unions:
        check_header(union, protected=plan.protected)
    content_input = compress_content(plan, trace)  # step 11
    encoded_header = protect_header(plan, unions, trace)  # steps 12-13
    aad_value, encoded_aad = additional_data(encoded_header, plan.aad, trace)  # step 14
    ciphertext, tag = encrypt_content(
        plan, the_cek, the_iv, content_input, aad_value, ctx, trace
    )  # step 15
    assemble(plan, encoded_header, encoded_keys, encoded_aad, the_iv, ciphertext, tag, trace)
    return trace


def plan_encryption(
    plaintext: object,
    key: Any,
    *,
    alg: str | None,
    enc: str,
    header: Mapping[str, Any] | None,
    serialization: str,
    unprotected: Mapping[str, Any] | None,
    recipient_header: Mapping[str, Any] | None,
    aad: object,
    recipients: Sequence[Recipient | Mapping[str, Any]] | None,
    ephemeral_key: Any,
    algorithms: Iterable[str] | None,
) -> Plan:
    """The arguments checked and turned into a :class:`Plan`."""
    message = as_plaintext(plaintext)
    if serialization not in SERIALIZATIONS:
        raise InputError(
            "unknown serialization",
            code="input.serialization",
            expected=" or ".join(repr(name) for name in SERIALIZATIONS),
            found=repr(serialization)[:40],
        )
    content = registry.content_encryption(enc)
    allowed_algs, allowed_encs = allowed_algorithms(algorithms)
    check_allowed("enc", enc, allowed_encs)
    protected = header_members(header, "header")
    shared = header_members(unprotected, "unprotected header")
    entries = recipient_list(key, alg, recipient_header, ephemeral_key, recipients)
    senders = pre_encrypt_recipients(entries, enc, {**protected, **shared}, allowed_algs)
    if aad is not None and not isinstance(aad, bytes):
        raise InputError("aad must be bytes", code="input.type", found=type(aad).__name__)
    if aad == b"":
        aad = None  # RFC 7516 §7.2.1: an empty JWE AAD has no "aad" member, and no '.' in the AAD
    plan = Plan(message, content, serialization, protected, shared, senders, aad, len(senders) > 1)
    check_recipient_count(plan)
    return plan


__all__ = [
    "RECIPIENT_FIELDS",
    "CompactEncryptTrace",
    "JSONEncryptTrace",
    "Recipient",
    "as_plaintext",
    "check_oaep_seed",
    "header_members",
    "perform_encrypt",
    "recipient_list",
]
