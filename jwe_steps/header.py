"""The JOSE header (RFC 7516 §4): build it, serialize it, parse it, check it.

The protected header is serialized once, in the caller's member order, and its exact bytes
are what the AAD protects. On the way back the header is parsed from the bytes as received
and never re-serialized.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from typing import Any

from . import strict_json
from .b64 import b64url_decode
from .errors import Base64urlError, DecompressionError, HeaderError, InputError

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


def build_header(
    alg: str, enc: str, members: Mapping[str, Any] | None, kid: str | None = None
) -> dict[str, Any]:
    """The JOSE header: ``alg`` and ``enc`` first unless the caller placed them, then the
    caller's members in the caller's order, then ``kid`` when the key has one and none was given.
    """
    members = dict(members or {})
    for name, value in (("alg", alg), ("enc", enc)):
        if name in members and members[name] != value:
            raise InputError(
                f"header member '{name}' disagrees with the {name} argument",
                expected=repr(value),
                found=repr(members[name]),
            )
    header: dict[str, Any] = {}
    if "alg" not in members:
        header["alg"] = alg
    if "enc" not in members:
        header["enc"] = enc
    header.update(members)
    if kid is not None and "kid" not in header:
        header["kid"] = kid
    return header


# json.dumps with options builds a new encoder on every call; this one is built
# once (it holds no state between calls).
_HEADER_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def serialize_header(header: Mapping[str, Any]) -> bytes:
    """UTF8(JSON): compact separators, members in insertion order, non-ASCII kept as UTF-8."""
    try:
        text = _HEADER_ENCODER.encode(header)
    except (TypeError, ValueError) as error:
        raise InputError(
            "a header member cannot be represented in JSON",
            expected="str, int, float, bool, None, list or dict values",
            found=type(error).__name__,
        ) from None
    return text.encode("utf-8")


def parse_header(raw: bytes, *, part: str = "protected header") -> dict[str, Any]:
    """Parse UTF8(JSON) into a dict (RFC 7516 §5.2 step 3)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HeaderError(
            f"the {part} is not UTF-8",
            expected="UTF-8 encoded JSON",
            found=f"an invalid byte at offset {error.start}",
        ) from None
    value = strict_json.loads(
        text, error=HeaderError, subject=f"the {part}", expected="a JSON object"
    )
    if not isinstance(value, dict):
        raise HeaderError(
            f"the {part} is not a JSON object",
            expected="a JSON object {...}",
            found=f"a JSON {type(value).__name__}",
        )
    return value


def merge_headers(
    protected: Mapping[str, Any],
    unprotected: Mapping[str, Any] | None = None,
    recipient: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JOSE header: the union of the protected header, the shared unprotected header and
    the per-recipient header (RFC 7516 §5.2 step 4), whose member names must be disjoint
    (RFC 7516 §7.2.1).
    """
    union: dict[str, Any] = dict(protected)
    for label, part in (
        ("shared unprotected header", unprotected),
        ("per-recipient header", recipient),
    ):
        for name, value in (part or {}).items():
            if name in union:
                raise HeaderError(
                    "a header parameter appears in more than one header",
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
            expected=f"'{name}': a base64url string",
            found="none" if value is None else type(value).__name__,
        )
    try:
        raw = b64url_decode(value, part=f"header parameter '{name}'")
    except Base64urlError as error:
        raise HeaderError(
            f"the '{name}' header parameter is not strict base64url",
            expected=error.expected,
            found=error.found,
        ) from None
    if size is not None and len(raw) != size:
        raise HeaderError(
            f"the '{name}' header parameter has the wrong length for {alg}",
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
                expected=f"'{name}' (RFC 7516 §4.1)",
                found="members " + ", ".join(repr(k[:20]) for k in list(header)[:8]),
            )
        if not isinstance(header[name], str):
            raise HeaderError(
                f"the header member '{name}' is not a string",
                expected="a string",
                found=type(header[name]).__name__,
            )
    if "crit" in header:
        _check_crit(header, protected)
    if "zip" in header:
        if "zip" not in protected:
            raise HeaderError(
                "'zip' must be integrity protected",
                expected="'zip' in the protected header (RFC 7516 §4.1.3)",
                found="'zip' in an unprotected header",
            )
        if not isinstance(header["zip"], str) or header["zip"] not in SUPPORTED_ZIP:
            raise HeaderError(
                "unsupported 'zip' compression",
                expected="one of " + (", ".join(sorted(SUPPORTED_ZIP)) or "no zip member"),
                found=repr(header["zip"])[:40],
            )


def _check_crit(header: Mapping[str, Any], protected: Mapping[str, Any]) -> None:
    crit = header["crit"]
    if "crit" not in protected:
        raise HeaderError(
            "'crit' must be integrity protected",
            expected="'crit' in the protected header (RFC 7515 §4.1.11)",
            found="'crit' in an unprotected header",
        )
    if not isinstance(crit, list) or not crit or not all(isinstance(n, str) for n in crit):
        raise HeaderError(
            "'crit' is malformed",
            expected="a non-empty list of strings",
            found=repr(crit)[:60],
        )
    for name in crit:
        if name in REGISTERED_HEADER_PARAMETERS:
            raise HeaderError(
                "'crit' lists a parameter defined by the JWE/JWA specifications",
                expected="only extension parameter names",
                found=repr(name),
            )
        if name not in UNDERSTOOD_CRITICAL_PARAMETERS:
            raise HeaderError(
                "'crit' names an extension this implementation does not understand",
                expected="no unknown critical extensions",
                found=repr(name[:40]),
            )
        if name not in header:
            raise HeaderError(
                "'crit' names a parameter the header does not carry",
                expected=f"a {name!r} member",
                found="none",
            )


def compress(plaintext: bytes) -> bytes:
    """``zip: "DEF"`` (RFC 7516 §5.1 step 11): raw DEFLATE (RFC 1951), no zlib wrapper."""
    compressor = zlib.compressobj(wbits=-15)
    return compressor.compress(plaintext) + compressor.flush()


def decompress(data: bytes, max_bytes: int) -> bytes:
    """Inflate raw DEFLATE (RFC 7516 §5.2 step 17), never producing more than ``max_bytes``.

    The output is bounded while inflating (``max_length``), so a small token that would
    inflate to gigabytes stops at the cap instead of exhausting memory.
    """
    inflater = zlib.decompressobj(wbits=-15)
    try:
        output = inflater.decompress(data, max_bytes + 1)
    except zlib.error:
        raise DecompressionError(
            "the decrypted content is not valid DEFLATE data",
            expected="a raw DEFLATE stream (RFC 1951), as zip 'DEF' requires",
            found="data that does not inflate",
        ) from None
    if len(output) > max_bytes or inflater.unconsumed_tail:
        raise DecompressionError(
            "the decompressed content is larger than the configured limit",
            expected=f"at most {max_bytes} bytes (Limits.max_decompressed_bytes)",
            found="more",
            hint="Raise Limits(max_decompressed_bytes=...) if such tokens are legitimate.",
        )
    if not inflater.eof:
        raise DecompressionError(
            "the DEFLATE stream is truncated",
            expected="a complete DEFLATE stream",
            found="a stream without its final block",
        )
    if inflater.unused_data:
        raise DecompressionError(
            "the DEFLATE stream is followed by extra bytes",
            expected="nothing after the final block",
            found=f"{len(inflater.unused_data)} extra bytes",
        )
    return output
