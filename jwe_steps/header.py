"""The JOSE header (RFC 7516 §4): build it, serialize it, parse it, check it.

The protected header is serialized once, in the caller's member order, and its exact bytes
are what the AAD protects. On the way back the header is parsed from the bytes as received
and never re-serialized.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from . import strict_json
from .b64 import b64url_decode
from .deflate import compress, decompress  # noqa: F401  (their old home; zip is deflate.py's)
from .errors import Base64urlError, HeaderError, InputError

# RFC 7516 §4.1 and RFC 7518 §4.6.1, §4.7.1, §4.8.1: names `crit` must never list.
REGISTERED_HEADER_PARAMETERS = frozenset(
    {
        "alg", "enc", "zip", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty",
        "crit", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
    }
)  # fmt: skip

# Extensions this implementation understands, so `crit` may name them.
UNDERSTOOD_CRITICAL_PARAMETERS: frozenset[str] = frozenset()

# RFC 7516 §4.1.3: "DEF" is DEFLATE (RFC 1951), the only registered value.
SUPPORTED_ZIP: frozenset[str] = frozenset({"DEF"})

# The most members one header (protected, shared unprotected or per-recipient) may have. Real
# headers have a handful; without a cap, a general JSON token's one large protected header is
# copied into each of its up to 100 recipients' JOSE headers (RFC 7516 §5.2 step 4).
MAX_HEADER_MEMBERS = 1000


# json.dumps with options builds a new encoder on every call; this one is built
# once (it holds no state between calls).
_HEADER_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


# The member values a memo may share between calls: every one is a str, int or bool, so a
# shallow copy of the header is a full copy.
SCALAR_TYPES = (str, int, bool)


def memo_members(header: Any) -> tuple[tuple[str, Any, type], ...] | None:
    """A header dict as a hashable memo key, or None when it cannot be one (not a dict, or a
    value that is not a str, int or bool). The type is part of the key: ``True == 1``, but
    they serialize differently."""
    if type(header) is not dict:
        return None
    for value in header.values():
        if type(value) not in SCALAR_TYPES:
            return None
    return tuple((name, value, type(value)) for name, value in header.items())


def serialize_header(header: Mapping[str, Any]) -> bytes:
    """UTF8(JSON): compact separators, members in insertion order, non-ASCII kept as UTF-8."""
    try:
        return _HEADER_ENCODER.encode(header).encode("utf-8")
    except strict_json.WRITE_ERRORS as error:
        raise InputError(
            "a header member cannot be represented in JSON",
            code="input.header",
            expected="str, int, float, bool, None, list or dict values, strings of Unicode "
            "characters, nested at most a few hundred levels",
            found=strict_json.unwritable(error),
        ) from None


# RFC 7515 §4.1 and RFC 7516 §4.1: registered members whose value is a string, and x5c, an
# array of (base64) strings. A sender that writes another type makes a token its partner's
# library refuses, with an error that does not point back at the sender.
STRING_MEMBERS = ("kid", "typ", "cty", "jku", "x5u", "x5t", "x5t#S256")
TYPED_MEMBERS = frozenset((*STRING_MEMBERS, "x5c"))


def check_outgoing_header(members: Mapping[str, Any], label: str) -> None:
    """Refuse, before anything is computed, a header argument the sender must not emit: a
    name that is not a str, a value JSON cannot carry, or a registered member of the wrong type.

    Raises:
        InputError: ``input.header``.
    """
    if not isinstance(members, Mapping) or not all(type(name) is str for name in members):
        raise InputError(
            f"the {label} must be a dict of header parameters",
            code="input.header",
            expected="a dict with str names",
            found=type(members).__name__,
        )
    serialize_header(members)  # bytes, NaN, a lone surrogate, runaway nesting
    for name in STRING_MEMBERS:
        if name in members and type(members[name]) is not str:
            _wrong_type(label, name, "a string (RFC 7515 §4.1, RFC 7516 §4.1)", members[name])
    if "x5c" in members and not is_certificate_chain(members["x5c"]):
        _wrong_type(label, "x5c", "a non-empty array of base64 strings (RFC 7515 §4.1.6)",
                    members["x5c"])  # fmt: skip


def is_certificate_chain(value: Any) -> bool:
    return type(value) is list and bool(value) and all(type(item) is str for item in value)


def _wrong_type(label: str, name: str, expected: str, value: Any) -> None:
    raise InputError(
        f"the {label}'s {name!r} member has the wrong type",
        code="input.header",
        expected=expected,
        found=strict_json.json_kind(value),
    )


def parse_header(raw: bytes, *, part: str = "protected header") -> dict[str, Any]:
    """Parse UTF8(JSON) into a dict (RFC 7516 §5.2 step 3)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HeaderError(
            f"the {part} is not UTF-8",
            code="header.utf8",
            expected="UTF-8 encoded JSON",
            found=f"an invalid byte at offset {error.start}",
        ) from None
    value = strict_json.loads(
        text, error=HeaderError, subject=f"the {part}", expected="a JSON object"
    )
    if not isinstance(value, dict):
        raise HeaderError(
            f"the {part} is not a JSON object",
            code="header.json",
            expected="a JSON object {...}",
            found=f"a JSON {type(value).__name__}",
        )
    check_member_count(value, part)
    return value


def check_member_count(header: Mapping[str, Any], part: str) -> None:
    """At most :data:`MAX_HEADER_MEMBERS` members (``header.too_many_members``)."""
    if len(header) > MAX_HEADER_MEMBERS:
        raise HeaderError(
            f"the {part} has too many members",
            code="header.too_many_members",
            expected=f"at most {MAX_HEADER_MEMBERS} members",
            found=f"{len(header)} members",
        )


def merge_headers(
    protected: Mapping[str, Any],
    unprotected: Mapping[str, Any] | None = None,
    recipient: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JOSE header: the union of the protected header, the shared unprotected header and
    the per-recipient header (RFC 7516 §5.2 step 4), whose member names must be disjoint
    (RFC 7516 §7.2.1). Each part has at most :data:`MAX_HEADER_MEMBERS` members, so making
    one union per recipient stays cheap.
    """
    check_member_count(protected, "protected header")
    for label, part in (
        ("shared unprotected header", unprotected),
        ("per-recipient header", recipient),
    ):
        if part:
            check_member_count(part, label)
    union: dict[str, Any] = dict(protected)
    if not unprotected and not recipient:  # the compact serialization: nothing to merge
        return union
    for label, part in (
        ("shared unprotected header", unprotected),
        ("per-recipient header", recipient),
    ):
        for name, value in (part or {}).items():
            if name in union:
                raise HeaderError(
                    "a header parameter appears in more than one header",
                    code="header.not_disjoint",
                    expected="disjoint protected, shared unprotected and per-recipient headers "
                    "(RFC 7516 §7.2.1)",
                    found=f"{name[:40]!r} again in the {label}",
                )
            union[name] = value
    return union


def header_bytes(
    header: Mapping[str, Any],
    name: str,
    *,
    alg: str,
    size: int | None = None,
    optional: bool = False,
) -> bytes:
    """An algorithm's base64url header parameter (``iv``, ``tag``, ``p2s``, ``apu``...), decoded
    strictly; of ``size`` bytes when given; empty when ``optional`` and absent."""
    value = header.get(name)
    if value is None and optional:
        return b""
    if not isinstance(value, str):
        raise HeaderError(
            f"{alg} needs the '{name}' header parameter as a base64url string",
            code="header.param_missing" if value is None else "header.member_type",
            expected=f"'{name}': a base64url string",
            found="none" if value is None else type(value).__name__,
        )
    try:
        raw = b64url_decode(value, part=f"header parameter '{name}'")
    except Base64urlError as error:
        raise HeaderError(
            f"the '{name}' header parameter is not strict base64url",
            code="header.param_base64url",
            expected=error.expected,
            found=error.found,
        ) from None
    if size is not None and len(raw) != size:
        raise HeaderError(
            f"the '{name}' header parameter has the wrong length for {alg}",
            code="header.param_length",
            expected=f"{size} bytes",
            found=f"{len(raw)} bytes",
        )
    return raw


def check_header(header: Mapping[str, Any], *, protected: Mapping[str, Any]) -> None:
    """RFC 7516 §5.2 steps 4-5: required members present, ``crit`` and ``zip`` understood.

    ``header`` is the whole JOSE header; ``protected`` is its integrity-protected part.
    """
    for name in ("alg", "enc"):
        if name not in header:
            raise HeaderError(
                f"the header has no '{name}' member",
                code="header.missing_member",
                expected=f"'{name}' (RFC 7516 §4.1)",
                found="members " + ", ".join(repr(k[:20]) for k in list(header)[:8]),
            )
        if not isinstance(header[name], str):
            raise HeaderError(
                f"the header member '{name}' is not a string",
                code="header.member_type",
                expected="a string",
                found=type(header[name]).__name__,
            )
    if not TYPED_MEMBERS.isdisjoint(header):
        _check_member_types(header)
    if "crit" in header:
        _check_crit(header, protected)
    if "zip" in header:
        if "zip" not in protected:
            raise HeaderError(
                "'zip' must be integrity protected",
                code="header.zip",
                expected="'zip' in the protected header (RFC 7516 §4.1.3)",
                found="'zip' in an unprotected header",
            )
        if not isinstance(header["zip"], str) or header["zip"] not in SUPPORTED_ZIP:
            raise HeaderError(
                "unsupported 'zip' compression",
                code="header.zip",
                expected="one of " + (", ".join(sorted(SUPPORTED_ZIP)) or "no zip member"),
                found=repr(header["zip"])[:40],
            )


def _check_member_types(header: Mapping[str, Any]) -> None:
    """Registered members that must be strings, and x5c an array of them (a received header)."""
    for name in STRING_MEMBERS:
        if name in header and type(header[name]) is not str:
            raise HeaderError(
                f"the header member {name!r} is not a string",
                code="header.member_type",
                expected="a string (RFC 7515 §4.1, RFC 7516 §4.1)",
                found=strict_json.json_kind(header[name]),
            )
    if "x5c" in header and not is_certificate_chain(header["x5c"]):
        raise HeaderError(
            "the header member 'x5c' is not an array of strings",
            code="header.member_type",
            expected="a non-empty array of base64 strings (RFC 7515 §4.1.6)",
            found=strict_json.json_kind(header["x5c"]),
        )


def _check_crit(header: Mapping[str, Any], protected: Mapping[str, Any]) -> None:
    crit = header["crit"]
    if "crit" not in protected:
        raise HeaderError(
            "'crit' must be integrity protected",
            code="header.crit",
            expected="'crit' in the protected header (RFC 7515 §4.1.11)",
            found="'crit' in an unprotected header",
        )
    if not isinstance(crit, list) or not crit or not all(isinstance(n, str) for n in crit):
        raise HeaderError(
            "'crit' is malformed",
            code="header.crit",
            expected="a non-empty list of strings",
            found=repr(crit)[:60],
        )
    for name in crit:
        if name in REGISTERED_HEADER_PARAMETERS:
            raise HeaderError(
                "'crit' lists a parameter defined by the JWE/JWA specifications",
                code="header.crit",
                expected="only extension parameter names",
                found=repr(name),
            )
        if name not in UNDERSTOOD_CRITICAL_PARAMETERS:
            raise HeaderError(
                "'crit' names an extension this implementation does not understand",
                code="header.crit",
                expected="no unknown critical extensions",
                found=repr(name[:40]),
            )
        if name not in header:
            raise HeaderError(
                "'crit' names a parameter the header does not carry",
                code="header.crit",
                expected=f"a {name!r} member",
                found="none",
            )


# ---------------------------------------------------------------- placement (RFC 7516 §5.1 step 12)


def check_header_arguments(places: Sequence[Mapping[str, Any]], values: Mapping[str, str]) -> None:
    """Header arguments that set ``alg`` or ``enc`` must agree with the arguments themselves."""
    for name, value in values.items():
        for place in places:
            if name in place and place[name] != value:
                raise InputError(
                    f"header member '{name}' disagrees with the {name} argument",
                    code="input.header_conflict",
                    expected=repr(value),
                    found=repr(place[name])[:40],
                )


def place_alg_and_enc(
    protected: dict[str, Any],
    shared: Mapping[str, Any],
    recipient_headers: Sequence[dict[str, Any]],
    algs: Sequence[str],
    enc: str,
) -> dict[str, Any]:
    """Where ``alg`` and ``enc`` go: where the caller put them, else the protected header,
    ``alg`` and ``enc`` first (with several recipients, each ``alg`` goes in its per-recipient
    header). Returns the protected header; per-recipient headers are updated in place."""
    several = len(recipient_headers) > 1
    leading: dict[str, Any] = {}
    first = recipient_headers[0]
    if not several and "alg" not in protected and "alg" not in shared and "alg" not in first:
        leading["alg"] = algs[0]
    enc_placed = "enc" in protected or "enc" in shared
    if not enc_placed and not [own for own in recipient_headers if "enc" in own]:
        leading["enc"] = enc
    placed = {**leading, **protected}
    for own, alg in zip(recipient_headers, algs, strict=True):
        if "alg" not in placed and "alg" not in shared and "alg" not in own:
            items = list(own.items())
            own.clear()
            own.update({"alg": alg, **dict(items)})
    return placed


def home_of_alg(
    protected: dict[str, Any],
    shared: dict[str, Any],
    own: dict[str, Any],
    *,
    several: bool,
) -> dict[str, Any]:
    """The header that holds a recipient's ``alg``: its ``kid`` and its algorithm's header
    parameters (``epk``, ``iv``/``tag``, ``p2s``/``p2c``) go there too."""
    if several or "alg" in own:
        return own
    return shared if "alg" in shared else protected


def add_parameters(
    home: dict[str, Any], union: Mapping[str, Any], params: Mapping[str, Any], alg: str
) -> None:
    """Put an algorithm's header parameters in ``home``; one the caller already set must have
    the value the algorithm computed."""
    for name, value in params.items():
        if name in union:
            if union[name] != value:
                raise InputError(
                    f"header member '{name}' is set by {alg} itself",
                    code="input.header_conflict",
                    expected=f"no '{name}' in the header arguments, or the value {alg} computes",
                    found=f"a different '{name}'",
                )
        else:
            home[name] = value
