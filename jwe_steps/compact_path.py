"""The usual case, without the machinery for the rest: one recipient, the compact
serialization, a loaded :class:`~jwe_steps.keys.Key` (or, to decrypt, a
:class:`~jwe_steps.keys.KeySet`), fresh random CEK and IV.

:func:`jwe_steps.encrypt` and :func:`jwe_steps.decrypt` try this path first. It runs the
RFC 7516 §5.1 / §5.2 steps of :mod:`jwe_steps.encryption` and :mod:`jwe_steps.decryption`
in one function each and records the very same steps (names, values, meanings, sections,
inputs; ``tests/test_compact_path.py`` compares the two paths step by step). What it leaves
out is only work whose result cannot change from one call to the next:

* **sending**: the plan for one ``(key, alg, enc, header, algorithms)`` (the argument checks,
  the allow-list, the key binding, where ``alg``/``enc``/``kid`` go, the header checks a
  recipient will make, and, when key management adds no header parameters, the protected
  header's JSON text and its encoding; when it adds only ECDH-ES's ``epk``, the text around
  the epk's coordinates) is worked out by the general path the first time and kept on the key
  (``Key._memo``), so it lives and dies with the key;
* **receiving**: the parsed and checked protected header for one exact header text
  (strict JSON, ``crit``/``zip``, the registry lookups) is kept in a small table of texts, and
  the allow-list is checked on every call. An ECDH-ES header, new with every token, is kept
  by its shape, the text around the epk's coordinates (:mod:`jwe_steps.epk_shape`): a header
  of a known shape has the known members with its own coordinates.

Every per-call check stays: strict base64url for each part, the part sizes, the allow-list,
the key binding, §11.5's random CEK drawn on every decrypt, the tag. Anything unusual (a
header text that cannot be parsed, ``zip``, PBES2, a large ciphertext that is decrypted as a
stream, a key given as a JWK or PEM, an error of any kind before the tag) goes to the general
path, which then raises exactly the error it always raises. A tag that does not verify is
raised here, as the general path raises it, so a wrong key and an altered token still take the
same path (RFC 7516 §11.5).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import algorithms as registry
from .algorithms import (
    CekOpener,
    CekSealer,
    ContentEncryption,
    ContentOpener,
    ContentSealer,
    Context,
    EpkSealer,
    KeyManagement,
    Mode,
)
from .allow_list import allowed_algorithms
from .b64 import (
    b64url_decode_quiet,
    b64url_decode_slice,
    b64url_encode,
    b64url_encode_pieces,
    b64url_join,
)
from .decryption import STREAM_FROM_CHARACTERS
from .encryption import CompactEncryptTrace, place_headers, plan_encryption
from .epk_shape import EpkShape, cut_shape, shape_key, with_coordinates
from .errors import JWEError
from .header import (
    SCALAR_TYPES,
    add_parameters,
    check_header,
    memo_members,
    parse_header,
    serialize_header,
)
from .keys import Key, KeySet, check_key_allows
from .limits import DEFAULT_LIMITS, Limits
from .primitives import CRYPTOGRAPHY, STREAMING_FROM
from .serialization import separators
from .trace import DecryptTrace, EncryptTrace, blank_starter

MAX_REMEMBERED_HEADERS = 256
"""How many distinct protected-header texts the receiving table keeps (a sender that varies
its header on every token, e.g. ECDH-ES's ``epk``, is never remembered: see ``_remember``)."""
MAX_HEADER_TEXT = 1024
"""The longest header text that is remembered."""
MAX_REMEMBERED_SHAPES = 64
"""How many epk header shapes the receiving table keeps (:mod:`jwe_steps.epk_shape`)."""
MAX_SENDING_PLANS = 64
"""How many sending plans one key keeps."""
SPLIT_UP_TO = 16 * 1024
"""The longest token whose five parts the receiving side splits out in one call. Beyond it each
part is copied out of the token only while it is decoded: with the parts all alive at once, a
64 KiB round trip took 1.03-1.06x the time (the allocator's high-water mark, as
benchmarks/README.md explains for the 64 KiB rows); below it the one call is the shorter code."""
LARGE_CIPHERTEXT = 1 << 18
"""From this many bytes of ciphertext on, its encoding is joined into the token in pieces."""

# Trace.started() for the two traces every round trip starts, bound once.
_start_encrypt_trace = blank_starter(CompactEncryptTrace)
_start_decrypt_trace = blank_starter(DecryptTrace)


# ---------------------------------------------------------------- sending (§5.1)


@dataclass(frozen=True)
class SendingPlan:
    """What the general path worked out for one ``(key, alg, enc, header, algorithms)``."""

    content: ContentEncryption
    management: KeyManagement
    protected: dict[str, Any]  # after §5.1 step 12's placement, before key management's params
    fixed: tuple[str, bytes] | None  # (encoded header, its UTF8(JSON)) when nothing is added
    cek_meaning: str
    mode: str  # the key management mode's name (Mode.value, looked up once)
    mode_meaning: str
    key_meaning: str
    key_extra: dict[str, Any]
    iv_meaning: str
    ciphertext_meaning: str
    ciphertext_extra: dict[str, Any]
    tag_meaning: str
    tag_extra: dict[str, Any]
    # With a fixed header: key management and (below STREAMING_FROM) content encryption as
    # one call each (KeyManagement.sealer, ContentEncryption.sealer), when they have that form,
    # and the header's three records, the same in every trace.
    seal_cek: CekSealer | None = None
    seal_content: ContentSealer | None = None
    header_records: tuple[tuple[Any, ...], ...] = ()
    # When key management adds only an ``epk`` (ECDH-ES+AxxxKW): key management as one call
    # (KeyManagement.epk_sealer), and the header text around the epk's coordinates.
    seal_epk: EpkSealer | None = None
    epk_shape: EpkShape | None = None


def sending_plan_key(
    alg: Any, enc: Any, header: Mapping[str, Any] | None, algorithms: Any
) -> tuple[Any, ...] | None:
    """The memo key for one call's arguments, or None when they cannot be memoised (a header
    with a list or object value, an allow-list that is not a list, tuple or set of str)."""
    if type(alg) is not str or type(enc) is not str:
        return None
    members = None
    if header is not None:
        members = memo_members(header)
        if members is None:
            return None
    allowed = _allow_list_key(algorithms)
    if allowed is False:
        return None
    return (alg, enc, members, allowed)


def _allow_list_key(algorithms: Any) -> Any:
    if algorithms is None:
        return None
    if type(algorithms) not in (list, tuple, set, frozenset):
        return False
    if not all(type(name) is str for name in algorithms):
        return False
    return frozenset(algorithms)


def remember_sending_plan(key: Key, memo_key: tuple[Any, ...], trace: EncryptTrace) -> None:
    """After the general path encrypted for ``memo_key``'s arguments, keep what it worked out
    (only for modes that encrypt a fresh random CEK, without ``zip``; for the others, that
    the general path is theirs, so that this is not worked out again on every call)."""
    plans: dict[tuple[Any, ...], SendingPlan | None] = key._memo.setdefault("sending", {})
    if memo_key in plans:
        return
    if len(plans) >= MAX_SENDING_PLANS:
        plans.clear()
    alg, enc, members, allowed = memo_key
    header = None if members is None else {name: value for name, value, _ in members}
    try:
        plan = plan_encryption(
            b"", key, alg=alg, enc=enc, header=header,
            serialization="compact", unprotected=None, recipient_header=None, aad=None,
            recipients=None, ephemeral_key=None, algorithms=allowed,
        )  # fmt: skip
        place_headers(plan, enc)
    except JWEError:  # cannot happen for arguments that just encrypted; stay general if it does
        plans[memo_key] = None
        return
    sender, content = plan.senders[0], plan.content
    if sender.management.generates_cek or "zip" in plan.protected or sender.key is not key:
        plans[memo_key] = None
        return
    fixed, seal_cek, seal_epk, epk_shape = None, None, None, None
    header_records: tuple[tuple[Any, ...], ...] = ()
    encoded_header, header_bytes = trace["encoded_protected_header"], trace["protected_header"]
    if trace.header == plan.protected:  # key management added no header parameters
        fixed = (encoded_header, header_bytes)
        seal_cek = sender.management.sealer(key)
        header_records = _header_records(header_bytes, encoded_header)
    elif list(trace.header) == [*plan.protected, "epk"]:  # only an epk, added last
        epk_shape = cut_shape(header_bytes.decode("utf-8"), trace.header, _parse_text)
        seal_epk = sender.management.epk_sealer(key, content, plan.protected)
    ciphertext, tag = trace.step("ciphertext"), trace.step("tag")
    plans[memo_key] = SendingPlan(
        content=content,
        management=sender.management,
        protected=plan.protected,
        fixed=fixed,
        cek_meaning=trace.step("cek").meaning,
        mode=sender.management.mode.value,
        mode_meaning=trace.step("key_management_mode").meaning,
        key_meaning=trace.step("encrypted_key").meaning,
        key_extra={
            "inputs": ("cek",),
            "operation": f"{sender.management.name}(recipient key, CEK)",
        },
        iv_meaning=trace.step("iv").meaning,
        ciphertext_meaning=ciphertext.meaning,
        ciphertext_extra={"inputs": ciphertext.inputs, "operation": ciphertext.operation},
        tag_meaning=tag.meaning,
        tag_extra={"inputs": tag.inputs, "operation": tag.operation},
        seal_cek=seal_cek,
        seal_content=content.sealer(),
        header_records=header_records,
        seal_epk=seal_epk if epk_shape is not None else None,
        epk_shape=epk_shape,
    )


def _parse_text(text: str) -> dict[str, Any]:
    """The strict parse of a header text (RFC 7516 §5.2 step 3), as :func:`read_header`
    parses the decoded part."""
    return parse_header(text.encode("utf-8"))


def sending_plan(
    key: Key, alg: Any, enc: Any, header: Mapping[str, Any] | None, algorithms: Any, *, usual: bool
) -> tuple[tuple[Any, ...] | None, SendingPlan | None]:
    """The memo key for one call's arguments (:func:`sending_plan_key`) and the plan
    remembered for them on ``key``, if there is one; neither unless the call is ``usual`` (a
    loaded Key, the compact serialization, fresh random values: see pipeline.encrypt, which
    looks up the plan of a call with only ``alg`` and ``enc`` itself)."""
    if not usual:
        return None, None
    memo_key = sending_plan_key(alg, enc, header, algorithms)
    if memo_key is None:
        return None, None
    plans = key._memo.get("sending")
    return memo_key, None if plans is None else plans.get(memo_key)


def encrypt_compact(message: bytes, key: Key, plan: SendingPlan) -> CompactEncryptTrace:
    """RFC 7516 §5.1 for a remembered plan: steps 2, 1, 3-4, 7, 9, 12-19, recorded as
    :func:`jwe_steps.encryption.perform_encrypt` records them."""
    content, management = plan.content, plan.management
    trace = _start_encrypt_trace()
    log = trace._log
    record = log.append
    cek = os.urandom(content.key_size)  # step 2, as jwe_steps.cek.generate_cek draws it
    log.extend((
        ("plaintext", message, _PLAINTEXT_MEANING, "RFC 7516 §5.1 step 11", None),
        ("cek", cek, plan.cek_meaning, "RFC 7516 §5.1 step 2", None),
        ("key_management_mode", plan.mode, plan.mode_meaning,
         "RFC 7516 §5.1 step 1", None),
    ))  # fmt: skip
    ctx = None
    seal_cek, protected, fixed = plan.seal_cek, plan.protected, plan.fixed
    seal_epk = plan.seal_epk
    if seal_cek is not None and fixed is not None:  # steps 3-4 add nothing to the header
        encrypted_key = seal_cek(cek, record)
        encoded_header, header_records = fixed[0], plan.header_records
    elif seal_epk is not None and plan.epk_shape is not None:  # steps 3-4 add the epk
        encrypted_key, epk = seal_epk(cek, record)
        protected = {**protected, "epk": epk}
        header_bytes = plan.epk_shape.fill(epk).encode("utf-8")
        encoded_header = b64url_encode(header_bytes)
        header_records = _header_records(header_bytes, encoded_header)
    else:
        ctx = Context(trace, DEFAULT_LIMITS, CRYPTOGRAPHY)
        wrapped = management.wrap(key, cek, content, dict(protected), ctx)
        encrypted_key = wrapped.encrypted_key
        if fixed is None or wrapped.header_params:
            protected = dict(protected)
            add_parameters(protected, plan.protected, wrapped.header_params, management.name)
            check_header(protected, protected=protected)
            header_bytes = serialize_header(protected)
            encoded_header = b64url_encode(header_bytes)
        else:
            encoded_header, header_bytes = fixed
        header_records = _header_records(header_bytes, encoded_header)
    record(
        ("encrypted_key", encrypted_key, plan.key_meaning, "RFC 7516 §5.1 step 4", plan.key_extra)
    )
    iv = os.urandom(content.iv_size)  # step 9, as jwe_steps.iv.generate_iv draws it
    header = dict(protected)
    record(("iv", iv, plan.iv_meaning, "RFC 7516 §5.1 step 9", None))
    record(("header", header, _HEADER_MEANING, "RFC 7516 §5.1 step 12", None))
    log.extend(header_records)
    aad = header_records[2][1]  # step 14: the AAD, ASCII(encoded header)
    seal_content = plan.seal_content
    if seal_content is not None and len(message) < STREAMING_FROM:
        ciphertext, tag = seal_content(cek, iv, message, aad, record)
    else:
        ctx = ctx or Context(trace, DEFAULT_LIMITS, CRYPTOGRAPHY)
        ciphertext, tag = content.encrypt(cek, iv, message, aad, ctx)
    log.extend((
        ("ciphertext", ciphertext, plan.ciphertext_meaning, "RFC 7516 §5.1 step 15",
         plan.ciphertext_extra),
        ("tag", tag, plan.tag_meaning, "RFC 7516 §5.1 step 15", plan.tag_extra),
    ))  # fmt: skip
    if len(ciphertext) < LARGE_CIPHERTEXT:
        token = b64url_join(encoded_header, encrypted_key, iv, ciphertext, tag)
    else:
        token = _large_compact_text(encoded_header, encrypted_key, iv, ciphertext, tag)
    record(("token", token, _COMPACT_MEANING, "RFC 7516 §5.1 step 19, §7.1", None))
    trace.token, trace.header = token, header
    return trace


def _large_compact_text(
    encoded_header: str, encrypted_key: bytes, iv: bytes, ciphertext: bytes, tag: bytes
) -> str:
    """§7.1's five parts joined by '.', the ciphertext's encoding going into the token piece
    by piece: it never exists whole beside the token (one allocation of that size fewer,
    and at megabytes, fresh memory costs more than the copy)."""
    pieces = [piece.decode("ascii") for piece in b64url_encode_pieces(ciphertext)]
    head = (encoded_header, b64url_encode(encrypted_key), b64url_encode(iv), "")
    return "".join((".".join(head), *pieces, ".", b64url_encode(tag)))


_PLAINTEXT_MEANING = "the message to protect, as octets"
_HEADER_MEANING = "the JOSE header: every member, as JSON"
_COMPACT_MEANING = "the compact serialization: header.encrypted_key.iv.ciphertext.tag"


def _header_records(header_bytes: bytes, encoded_header: str) -> tuple[tuple[Any, ...], ...]:
    """§5.1 steps 12-14's records: the protected header's bytes, their encoding, the AAD."""
    return (
        ("protected_header", header_bytes, _PROTECTED_HEADER_MEANING, "RFC 7516 §5.1 step 12",
         _PROTECTED_HEADER_EXTRA),
        ("encoded_protected_header", encoded_header, _ENCODED_HEADER_MEANING,
         "RFC 7516 §5.1 step 13", _ENCODED_HEADER_EXTRA),
        ("aad", encoded_header.encode("ascii"), _AAD_MEANING, "RFC 7516 §5.1 step 14",
         _AAD_EXTRA),
    )  # fmt: skip


_PROTECTED_HEADER_MEANING = (
    "UTF8(JSON) of the protected header: these exact bytes are integrity protected"
)
_PROTECTED_HEADER_EXTRA = {"inputs": ("header",), "operation": "UTF8(JSON(header))"}
_ENCODED_HEADER_MEANING = "BASE64URL(UTF8(JWE Protected Header)): the token's first part"
_ENCODED_HEADER_EXTRA = {
    "inputs": ("protected_header",),
    "operation": "BASE64URL(protected_header)",
}
_AAD_MEANING = "the additional authenticated data: the encoded header as ASCII bytes"
_AAD_EXTRA = {
    "inputs": ("encoded_protected_header",),
    "operation": "ASCII(encoded_protected_header)",
}
_DECODED_HEADER_EXTRA = {
    "inputs": ("encoded_protected_header",),
    "operation": "BASE64URL-DECODE(part 1)",
}


# ---------------------------------------------------------------- receiving (§5.2)


@dataclass(frozen=True)
class ReceivingSteps:
    """What the decryption steps say for one ``alg`` and ``enc`` (the same for every token)."""

    management: KeyManagement
    content: ContentEncryption
    mode: str  # Mode.value, looked up once
    mode_meaning: str
    cek_meaning: str
    cek_section: str
    cek_extra: dict[str, Any]  # the cek step's inputs and operation
    plaintext_meaning: str
    plaintext_extra: dict[str, Any]  # the plaintext step's inputs and operation
    open_content: ContentOpener | None  # ContentEncryption.opener(), below STREAMING_FROM
    pair: tuple[str, str]  # (alg, enc): what a key's receiving memo is keyed by


@functools.cache
def receiving_steps(management: KeyManagement, content: ContentEncryption) -> ReceivingSteps:
    """The step meanings for ``management`` and ``content``, worked out once per pair."""
    alg, enc = management.name, content.name
    if not management.generates_cek:
        section = "RFC 7516 §5.2 step 9"
    elif management.mode is Mode.DIRECT_KEY_AGREEMENT:
        section = "RFC 7516 §5.2 step 8"
    else:
        section = "RFC 7516 §5.2 steps 10-11"
    return ReceivingSteps(
        management=management,
        content=content,
        mode=management.mode.value,
        mode_meaning=f"{alg} uses {management.mode.value}: {management.description}",
        cek_meaning=f"the content encryption key, recovered with {alg}",
        cek_section=section,
        cek_extra={
            "inputs": ("encrypted_key",),
            "operation": f"{alg}-Decrypt(private key, encrypted_key)",
        },
        plaintext_meaning=f"the content, decrypted and authenticated with {enc}",
        plaintext_extra={
            "inputs": ("cek", "iv", "ciphertext", "tag", "aad"),
            "operation": f"{enc}-Decrypt(CEK, IV, ciphertext, AAD, tag)",
        },
        open_content=content.opener(),
        pair=(alg, enc),
    )


_NOTHING_KNOWN: dict[tuple[str, str], CekOpener | bool] = {}  # (never written to)


def receiving_key(key: Key, steps: ReceivingSteps) -> CekOpener | bool:
    """Whether ``key`` may decrypt with ``steps``' alg and enc (its JWK binding, its type, a
    private key): False when not (the general path then says why), else its one-call
    :meth:`~jwe_steps.algorithms.KeyManagement.opener`, or True when the algorithm has none.
    Worked out once per key and pair and kept on the key: a key is immutable."""
    memo: dict[tuple[str, str], CekOpener | bool] = key._memo.setdefault("receiving", {})
    pair = steps.pair
    known = memo.get(pair)
    if known is not None:
        return known
    management = steps.management
    try:
        check_key_allows(key, pair[0], decrypting=True, enc=pair[1])
    except JWEError:
        memo[pair] = False
        return False
    usable = key.kty in management.key_types and key.is_private
    memo[pair] = known = (management.opener(key, steps.content) or True) if usable else False
    return known


class ReceivedHeader(NamedTuple):
    """One protected-header text, parsed and checked (RFC 7516 §5.2 steps 2-5); a tuple, as
    one is made for every ECDH-ES token (a frozen dataclass costs three times as much)."""

    header_bytes: bytes
    members: dict[str, Any]  # copied for each trace
    steps: ReceivingSteps  # its alg's and enc's: management, content, the step meanings


_received: dict[str, ReceivedHeader] = {}
_shapes: dict[str, tuple[EpkShape, ReceivedHeader]] = {}  # by EpkShape.key


def read_header(encoded_header: str) -> ReceivedHeader | None:
    """The header text parsed and checked, or None when the general path must handle it (it
    then raises whatever is wrong). Remembered when every member is a plain value."""
    received = _received.get(encoded_header)
    if received is not None:
        return received
    try:
        header_bytes = b64url_decode_quiet(encoded_header)
        text = header_bytes.decode("utf-8")
    except ValueError:  # not strict base64url, or not UTF-8: the general path says which
        return None
    key = shape_key(text)
    if key is not None:
        known = _shapes.get(key)
        if known is not None:
            shape, sample = known
            coordinates = shape.coordinates(text)
            if coordinates is not None:  # the sample's members, with these coordinates
                members = with_coordinates(sample.members, coordinates)
                return ReceivedHeader(header_bytes, members, sample.steps)
    try:
        members = parse_header(header_bytes)
        check_header(members, protected=members)
        management = registry.key_management(members["alg"])
        content = registry.content_encryption(members["enc"])
    except JWEError:
        return None
    if "zip" in members or management.family == "pbes2":
        return None  # inflation limits and PBKDF2 work caps: the general path
    received = ReceivedHeader(header_bytes, members, receiving_steps(management, content))
    _remember(encoded_header, received)
    if key is not None and "epk" in members:
        _remember_shape(text, received)
    return received


def _remember_shape(text: str, received: ReceivedHeader) -> None:
    """Keep the shape of a header whose members differ from token to token only in the
    epk's coordinates (:mod:`jwe_steps.epk_shape`): every other member a plain value."""
    members = received.members
    if len(text) > MAX_HEADER_TEXT:
        return
    if not all(type(value) in SCALAR_TYPES for name, value in members.items() if name != "epk"):
        return
    shape = cut_shape(text, members, _parse_text)
    if shape is None:
        return
    if len(_shapes) >= MAX_REMEMBERED_SHAPES:
        _shapes.clear()
    _shapes[shape.key] = (shape, received)


def _remember(encoded_header: str, received: ReceivedHeader) -> None:
    if len(encoded_header) > MAX_HEADER_TEXT:
        return
    if not all(type(value) in SCALAR_TYPES for value in received.members.values()):
        return  # epk, crit: varies per token or needs a deep copy
    if len(_received) >= MAX_REMEMBERED_HEADERS:
        _received.clear()
    _received[encoded_header] = received


def decrypt_compact(
    token: Any, key: Any, algorithms: Iterable[str] | None, limits: Limits | None
) -> DecryptTrace | None:
    """RFC 7516 §5.2 for a compact token and a loaded key or key set, recorded as
    :func:`jwe_steps.decryption.perform_decrypt` records it; None when the general path must
    handle this call (it then does the work again and raises what is wrong)."""
    if type(token) is not str or (algorithms is not None and _allow_list_key(algorithms) is False):
        return None  # (a generator of names must reach the general path unconsumed)
    if type(key) is not Key and type(key) is not KeySet:
        return None
    if limits is not None and type(limits) is not Limits:
        return None
    limits = limits or DEFAULT_LIMITS
    if len(token) >= STREAM_FROM_CHARACTERS or len(token) > limits.max_token_bytes:
        return None  # a large ciphertext is decrypted as a stream, by the general path
    try:  # (any part that is not strict base64url: the general path says which, and how)
        if len(token) <= SPLIT_UP_TO:  # the five parts as texts of their own, in one call
            parts = token.split(".")
            if len(parts) != 5 or not parts[0]:
                return None
            encoded_header = parts[0]
            encrypted_key, iv, ciphertext, tag = map(b64url_decode_quiet, parts[1:])
        else:
            encoded_header, encrypted_key, iv, ciphertext, tag = _decoded_where_they_lie(token)
    except (JWEError, ValueError):
        return None
    received = _received.get(encoded_header) or read_header(encoded_header)
    if received is None:
        return None
    management, content = received.steps.management, received.steps.content
    alg, enc = management.name, content.name
    try:
        if type(key) is KeySet:  # §5.2 step 7: the header's kid picks the key
            kid = received.members.get("kid")
            key = key.select(
                kid if type(kid) is str else None, key_types=management.key_types, use="enc"
            )
        allowed_algs, allowed_encs = (
            registry.default_allow_lists() if algorithms is None else allowed_algorithms(algorithms)
        )
        if alg not in allowed_algs or enc not in allowed_encs:
            return None
        steps = received.steps
        usable = key._memo.get("receiving", _NOTHING_KNOWN).get(steps.pair)
        if usable is None:
            usable = receiving_key(key, steps)
        if usable is False:
            return None
    except JWEError:
        return None
    if len(iv) != content.iv_size or len(tag) != content.tag_size:
        return None
    opener = None if isinstance(usable, bool) else usable
    return _decrypt_parts(
        received, key, opener, token, encoded_header, encrypted_key, iv, ciphertext, tag, limits
    )


def _decoded_where_they_lie(token: str) -> tuple[str, bytes, bytes, bytes, bytes]:
    """The encoded header and the four other parts, decoded, of a token above
    :data:`SPLIT_UP_TO`: each part is decoded from a slice that lives only while it is decoded.
    ValueError for a token without five parts, Base64urlError for a part that is not strict."""
    dots = separators(token, 4)
    if dots is None or dots[0] == 0:
        raise ValueError("not five parts")
    first, second, third, fourth = dots
    encrypted_key, iv, ciphertext, tag = (
        b64url_decode_slice(token, start, end, part=part)
        for start, end, part in (
            (first + 1, second, "encrypted key"), (second + 1, third, "initialization vector"),
            (third + 1, fourth, "ciphertext"), (fourth + 1, len(token), "authentication tag"),
        )
    )  # fmt: skip
    return token[:first], encrypted_key, iv, ciphertext, tag


def _decrypt_parts(
    received: ReceivedHeader,
    key: Key,
    opener: CekOpener | None,
    token: str,
    encoded_header: str,
    encrypted_key: bytes,
    iv: bytes,
    ciphertext: bytes,
    tag: bytes,
    limits: Limits,
) -> DecryptTrace | None:
    """Steps 1-2 recorded, then 4, 6, 8-12, 14-16 (step 16 raises when the tag fails);
    ``opener`` is the key's :meth:`~jwe_steps.algorithms.KeyManagement.opener`, if it has one."""
    steps = received.steps
    management, content = steps.management, steps.content
    trace = _start_decrypt_trace()
    header = dict(received.members)
    trace._log.extend((
        ("token", token, "the JWE as received", "RFC 7516 §7.1", None),
        ("encoded_protected_header", encoded_header,
         "the protected header as received: its exact text is the AAD", "RFC 7516 §5.2 step 1",
         None),
        ("protected_header", received.header_bytes,
         "UTF8(JSON) of the protected header, decoded from part 1", "RFC 7516 §5.2 step 2",
         _DECODED_HEADER_EXTRA),
        ("encrypted_key", encrypted_key, "the encrypted CEK, from part 2", "RFC 7516 §5.2 step 2",
         None),
        ("iv", iv, "the initialization vector, from part 3", "RFC 7516 §5.2 step 2", None),
        ("ciphertext", ciphertext, "the encrypted content, from part 4", "RFC 7516 §5.2 step 2",
         None),
        ("tag", tag, "the authentication tag, from part 5", "RFC 7516 §5.2 step 2", None),
        ("header", header, "the JOSE header, parsed from the protected header",
         "RFC 7516 §5.2 step 4", None),
        ("key_management_mode", steps.mode, steps.mode_meaning,
         "RFC 7516 §5.2 step 6", None),
    ))  # fmt: skip
    trace.header = header
    ctx = None
    fallback = os.urandom(content.key_size)  # RFC 7516 §11.5: drawn whether needed or not
    if opener is not None:  # KeyManagement.opener: try_unwrap's work, in one call
        try:
            recovered = opener(encrypted_key, header, trace._log.append)
        except JWEError:
            return None  # e.g. an epk the general path refuses, with its own code
    else:
        ctx = Context(trace, limits, CRYPTOGRAPHY)
        try:
            recovered = management.try_unwrap(key, encrypted_key, content, header, ctx)
        except JWEError:
            return None  # e.g. an epk the general path refuses, with its own code
    fits = recovered is not None and len(recovered) == content.key_size
    cek = recovered if fits and recovered is not None else fallback
    aad = encoded_header.encode("ascii")
    trace._log.extend((
        ("cek", cek, steps.cek_meaning, steps.cek_section, steps.cek_extra),
        ("aad", aad, "the additional authenticated data: the received header part as ASCII bytes",
         "RFC 7516 §5.2 step 15", _AAD_EXTRA),
    ))  # fmt: skip
    open_content = steps.open_content  # step 16: the tag, or it raises
    if open_content is not None and len(ciphertext) < STREAMING_FROM:
        plaintext = open_content(cek, iv, ciphertext, tag, aad, trace._log.append)
    else:
        ctx = ctx or Context(trace, limits, CRYPTOGRAPHY)
        plaintext = content.decrypt(cek, iv, ciphertext, tag, aad, ctx)
    trace._log.append((
        "plaintext", plaintext, steps.plaintext_meaning, "RFC 7516 §5.2 step 16",
        steps.plaintext_extra,
    ))  # fmt: skip
    trace.plaintext = plaintext
    return trace


__all__ = [
    "MAX_HEADER_TEXT",
    "MAX_REMEMBERED_HEADERS",
    "MAX_REMEMBERED_SHAPES",
    "MAX_SENDING_PLANS",
    "ReceivedHeader",
    "ReceivingSteps",
    "SendingPlan",
    "decrypt_compact",
    "encrypt_compact",
    "read_header",
    "receiving_steps",
    "remember_sending_plan",
    "sending_plan",
    "sending_plan_key",
]
