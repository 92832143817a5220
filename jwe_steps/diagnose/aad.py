"""What the sender authenticated (RFC 7516 §5.1 step 14): no AAD, the AAD without the JWE AAD
member, or a re-serialization of the header instead of the header part as sent.

Re-serializations are tried only for a header of at most MAX_TEXT_HYPOTHESIS bytes.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

from ..aad import compute_aad
from ..b64 import b64url_encode
from ..serialization import ParsedJWE
from .findings import MAX_TEXT_HYPOTHESIS, Finding, Messages, Option, say

_EMPTY_FIX = (
    "Pass the token's first part, ASCII(BASE64URL(UTF8(protected header))), as the AEAD's "
    "associated data (RFC 7516 §5.1 step 14): Python AESGCM(cek).encrypt(iv, plaintext, "
    "first_part.encode('ascii')), Java cipher.updateAAD(firstPart.getBytes(US_ASCII)) before "
    "doFinal, Node cipher.setAAD(Buffer.from(firstPart, 'ascii')), Go gcm.Seal(nil, iv, "
    "plaintext, []byte(firstPart))."
)
MESSAGES: Messages = {
    "aad.missing": (
        "The sender encrypted with empty additional authenticated data (AAD = b''). JWE "
        "authenticates the encoded protected header as AAD; without it the header is not "
        "protected.",
        _EMPTY_FIX,
    ),
    "aad.missing:json_aad": (
        "The sender left the JWE AAD member out of the additional authenticated data, which is "
        "the encoded header alone.",
        "Use ASCII(encoded header || '.' || BASE64URL(JWE AAD)) as AAD when the token carries "
        "an 'aad' member (RFC 7516 §5.1 step 14).",
    ),
    "aad.reserialized_header": (
        "The sender's AAD came from a different serialization of the same header ({how}) than "
        "the token's first part. The AAD must be the first part exactly as sent; re-serializing "
        "the header, even to equivalent JSON, breaks the tag.",
        "Serialize and base64url-encode the header once, and use that same text as the token's "
        "first part and as the AAD: Python's json.dumps puts spaces after ',' and ':' unless "
        "given separators, and Jackson, JSON.stringify and Go's json.Marshal each order and "
        "escape members their own way, so a second serialization rarely matches the first. "
        "A gateway must pass the part through untouched.",
    ),
}


def header_serializations(header: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    """Other JSON texts of the same header that common serializers produce."""
    forms: list[tuple[str, bytes]] = []
    for sort in (False, True):
        order = "keys sorted, " if sort else ""
        for separators, spacing in (
            ((", ", ": "), "spaces after ',' and ':'"),
            ((",", ":"), "no spaces"),
        ):
            for ascii_only in (True, False):
                text = json.dumps(
                    header, separators=separators, sort_keys=sort, ensure_ascii=ascii_only
                )
                escapes = "non-ASCII as \\u escapes" if ascii_only else "non-ASCII as UTF-8"
                forms.append((f"{order}{spacing}, {escapes}", text.encode("utf-8")))
                if ascii_only and "\\u" in text:
                    upper = re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), text)
                    how = f"{order}{spacing}, upper-case \\u escapes (.NET style)"
                    forms.append((how, upper.encode("utf-8")))
    pretty = json.dumps(header, indent=2, ensure_ascii=False).encode("utf-8")
    forms.append(("pretty-printed with indent=2", pretty))
    reverse = dict(reversed(list(header.items())))
    text = json.dumps(reverse, separators=(",", ":"), ensure_ascii=False)
    forms.append(("members in reverse order", text.encode("utf-8")))
    return forms


def _reserialized(how: str) -> tuple[Finding]:
    return (say(MESSAGES, "aad.reserialized_header", how=how),)


def _missing_options(parsed: ParsedJWE) -> list[Option[bytes]]:
    options = [Option(b"", (say(MESSAGES, "aad.missing"),))]
    if parsed.encoded_aad is not None:
        aad = parsed.encoded_protected_header.encode("ascii")
        options.append(Option(aad, (say(MESSAGES, "aad.missing:json_aad"),)))
    return options


def aad_options(
    parsed: ParsedJWE, protected: Mapping[str, Any], sent_header_texts: tuple[str, ...]
) -> list[Option[bytes]]:
    """The AAD the receiver computes, then the AADs a sender's mistake would have used."""
    suffix = "" if parsed.encoded_aad is None else f".{parsed.encoded_aad}"
    options = [Option(compute_aad(parsed.encoded_protected_header, parsed.encoded_aad))]
    # Before an encoding repair, the sender's AAD was their own spelling of the header part.
    options += [Option((text + suffix).encode("ascii", "replace")) for text in sent_header_texts]
    options += _missing_options(parsed)
    raw = parsed.protected_header
    # A JSON token may have no protected header at all; a huge one is not re-serialized.
    if raw and len(raw) <= MAX_TEXT_HYPOTHESIS:
        options.append(
            Option(
                raw + suffix.encode("ascii"),
                _reserialized("the header JSON itself, not its base64url text"),
            )
        )
        padded = base64.urlsafe_b64encode(raw).decode("ascii")
        options.append(
            Option((padded + suffix).encode("ascii"), _reserialized("base64url with '=' padding"))
        )
        standard = base64.b64encode(raw).decode("ascii")
        options.append(
            Option((standard + suffix).encode("ascii"), _reserialized("standard base64"))
        )
        for how, text in header_serializations(protected):
            if text != raw:
                aad = (b64url_encode(text) + suffix).encode("ascii")
                options.append(Option(aad, _reserialized(how)))
    unique: dict[bytes, Option[bytes]] = {}
    for option in options:
        unique.setdefault(option.value, option)
    return list(unique.values())
