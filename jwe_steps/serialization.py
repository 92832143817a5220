"""JWE serializations (RFC 7516 §7): assembling and splitting tokens.

The compact serialization (§7.1) is five base64url parts joined by ``.``:
header . encrypted key . IV . ciphertext . tag

The JSON serialization (§7.2) is a JSON object: ``protected``, ``unprotected``, ``iv``,
``aad``, ``ciphertext``, ``tag``, and either ``recipients`` (general syntax, §7.2.1: a list of
``{"header", "encrypted_key"}``) or ``header`` and ``encrypted_key`` at the top level
(flattened syntax, §7.2.2, exactly one recipient).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import strict_json
from .b64 import (
    b64url_decode,
    b64url_decode_pieces,
    b64url_decode_slice,
    b64url_encode,
    decoded_length,
)
from .errors import SerializationError, SizeLimitError
from .limits import DEFAULT_LIMITS

SERIALIZATIONS = ("compact", "flattened", "general")

# Each recipient may cost the receiver one private-key operation, so a general JSON token may
# list at most this many.

COMPACT_PARTS = ("protected_header", "encrypted_key", "iv", "ciphertext", "tag")
PART_LABELS = {
    "protected_header": "protected header",
    "encrypted_key": "encrypted key",
    "iv": "IV",
    "ciphertext": "ciphertext",
    "tag": "authentication tag",
}


@dataclass(frozen=True)
class Recipient:
    """One recipient's share: its unprotected header and its encrypted key."""

    encoded_encrypted_key: str
    encrypted_key: bytes
    header: dict[str, Any] | None = None


@dataclass(frozen=True, init=False)
class ParsedJWE:
    """A token split into its parts, both as received (encoded) and decoded."""

    serialization: str  # "compact", "flattened" or "general"
    encoded_protected_header: str
    protected_header: bytes
    recipients: tuple[Recipient, ...]
    iv: bytes
    ciphertext: bytes
    tag: bytes
    unprotected: dict[str, Any] | None = None
    encoded_aad: str | None = None
    aad: bytes | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Members of the serialization's own vocabulary that this token carries where they are not
    # used, and that were ignored (RFC 7516 §7.2.1): go-jose's top-level "encrypted_key".
    ignored: tuple[str, ...] = ()
    # A compact token's large ciphertext, left undecoded: (token, start, end) of its text.
    # ``ciphertext`` is then empty and :meth:`ciphertext_pieces` decodes it piece by piece
    # (parse_compact's ``defer_from``), for a streaming decryptor.
    deferred: tuple[str, int, int] | None = None

    def __init__(
        self,
        serialization: str,
        encoded_protected_header: str,
        protected_header: bytes,
        recipients: tuple[Recipient, ...],
        iv: bytes,
        ciphertext: bytes,
        tag: bytes,
        unprotected: dict[str, Any] | None = None,
        encoded_aad: str | None = None,
        aad: bytes | None = None,
        extra: dict[str, Any] | None = None,
        ignored: tuple[str, ...] = (),
        deferred: tuple[str, int, int] | None = None,
    ) -> None:
        # As for trace.Step: one __dict__ update instead of a frozen dataclass's thirteen
        # object.__setattr__ calls (every decrypt builds one). setattr still raises.
        self.__dict__.update(
            serialization=serialization,
            encoded_protected_header=encoded_protected_header,
            protected_header=protected_header,
            recipients=recipients,
            iv=iv,
            ciphertext=ciphertext,
            tag=tag,
            unprotected=unprotected,
            encoded_aad=encoded_aad,
            aad=aad,
            extra={} if extra is None else extra,
            ignored=ignored,
            deferred=deferred,
        )

    @property
    def ciphertext_length(self) -> int:
        """The ciphertext's length in bytes, decoded or not."""
        if self.deferred is None:
            return len(self.ciphertext)
        _, start, end = self.deferred
        return decoded_length(end - start)

    def ciphertext_pieces(self) -> Iterator[bytes]:
        """The ciphertext, strictly decoded, in consecutive pieces."""
        if self.deferred is None:
            return iter((self.ciphertext,))
        token, start, end = self.deferred
        return b64url_decode_pieces(token, start, end, part=PART_LABELS["ciphertext"])

    def ciphertext_bytes(self) -> bytes:
        """The whole ciphertext (decoded now when it was deferred)."""
        if self.deferred is None:
            return self.ciphertext
        token, start, end = self.deferred
        return b64url_decode_slice(token, start, end, part=PART_LABELS["ciphertext"])

    # The IV, ciphertext and tag as received. Strict decoding accepts only the one canonical
    # encoding of any bytes, so re-encoding gives back exactly the text that was sent, and a
    # large ciphertext's text is not kept beside its bytes.
    @property
    def encoded_iv(self) -> str:
        return b64url_encode(self.iv)

    @property
    def encoded_ciphertext(self) -> str:
        if self.deferred is not None:
            token, start, end = self.deferred
            return token[start:end]
        return b64url_encode(self.ciphertext)

    @property
    def encoded_tag(self) -> str:
        return b64url_encode(self.tag)


def serialize_compact(
    encoded_protected_header: str,
    encoded_encrypted_key: str,
    encoded_iv: str,
    encoded_ciphertext: str,
    encoded_tag: str,
) -> str:
    """RFC 7516 §7.1: the five encoded parts joined by '.'."""
    return ".".join(
        (
            encoded_protected_header,
            encoded_encrypted_key,
            encoded_iv,
            encoded_ciphertext,
            encoded_tag,
        )
    )


def separators(token: str, count: int) -> tuple[int, ...] | None:
    """The positions of the ``'.'`` separators of a compact token that must have exactly
    ``count`` of them, or None when it has another number. (``str.find`` of one character is a
    memchr; ``count`` and ``split`` walk a long ciphertext several times more slowly.)"""
    if count == 4:  # a compact JWE, on every request: the same searches, without the loop
        first = token.find(".")
        second = -1 if first < 0 else token.find(".", first + 1)
        third = -1 if second < 0 else token.find(".", second + 1)
        fourth = -1 if third < 0 else token.find(".", third + 1)
        if fourth < 0 or token.find(".", fourth + 1) >= 0:
            return None
        return (first, second, third, fourth)
    if count == 2:  # a compact JWS (the nested request's inner token), likewise
        first = token.find(".")
        second = -1 if first < 0 else token.find(".", first + 1)
        if second < 0 or token.find(".", second + 1) >= 0:
            return None
        return (first, second)
    positions = []
    position = -1
    for _ in range(count):
        position = token.find(".", position + 1)
        if position < 0:
            return None
        positions.append(position)
    if token.find(".", position + 1) >= 0:
        return None
    return tuple(positions)


def parse_compact(token: str, *, defer_from: int | None = None) -> ParsedJWE:
    """Split a compact token and decode each part strictly (RFC 7516 §5.2 steps 1-2).

    Each part is decoded where it lies in the token: the ciphertext, nearly all of a large
    token, is never copied out as text first. With ``defer_from``, a ciphertext part of at
    least that many characters is not decoded here at all (``ParsedJWE.deferred``): a
    streaming decryptor then decodes it piece by piece, and it is checked as strictly then.
    """
    positions = separators(token, 4)
    if positions is None:
        dots = token.count(".")  # only to say how many parts there were
        hint = None
        if dots == 2:
            hint = "Three parts is a JWS (a signed token, e.g. a JWT), not a JWE."
        raise SerializationError(
            "a compact JWE has five parts separated by '.'",
            code="format.segments",
            expected="5 parts: header.encrypted_key.iv.ciphertext.tag",
            found=f"{dots + 1} part{'s' if dots else ''}",
            hint=hint,
        )
    starts = (0, *(position + 1 for position in positions))
    ends = (*positions, len(token))
    bounds = list(zip(starts, ends, strict=True))
    if bounds[0][1] == 0:
        raise SerializationError(
            "the protected header part is empty",
            code="format.empty_header",
            expected="a base64url-encoded JSON header",
            found="an empty first part",
        )
    text_start, text_end = bounds[3]
    defer = defer_from is not None and text_end - text_start >= defer_from
    decoded = [
        b""
        if defer and name == "ciphertext"
        else b64url_decode_slice(token, start, end, part=PART_LABELS[name])
        for name, (start, end) in zip(COMPACT_PARTS, bounds, strict=True)
    ]
    return ParsedJWE(
        serialization="compact",
        encoded_protected_header=token[: bounds[0][1]],
        protected_header=decoded[0],
        recipients=(Recipient(token[bounds[1][0] : bounds[1][1]], decoded[1]),),
        iv=decoded[2],
        ciphertext=decoded[3],
        tag=decoded[4],
        deferred=(token, text_start, text_end) if defer else None,
    )


def _drop_empty(members: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return dict(members) if members else None


def serialize_json(
    *,
    encoded_protected_header: str,
    unprotected: Mapping[str, Any] | None,
    recipients: Sequence[tuple[Mapping[str, Any] | None, str]],
    encoded_aad: str | None,
    encoded_iv: str,
    encoded_ciphertext: str,
    encoded_tag: str,
    flattened: bool,
) -> dict[str, Any]:
    """RFC 7516 §7.2: the general (or, with one recipient, flattened) JSON serialization.

    ``recipients`` holds ``(per-recipient header, BASE64URL(encrypted key))`` pairs. Members
    whose value would be empty are left out, as §7.2.1 requires.
    """
    token: dict[str, Any] = {}
    if encoded_protected_header:
        token["protected"] = encoded_protected_header
    if unprotected:
        token["unprotected"] = dict(unprotected)
    if flattened:
        if len(recipients) != 1:
            raise SerializationError(
                "the flattened JSON serialization has exactly one recipient",
                code="format.flattened_recipients",
                expected="one recipient (or serialization='general')",
                found=f"{len(recipients)} recipients",
            )
        header, encoded_key = recipients[0]
        if header:
            token["header"] = dict(header)
        if encoded_key:
            token["encrypted_key"] = encoded_key
    else:
        entries = []
        for header, encoded_key in recipients:
            entry: dict[str, Any] = {}
            if header:
                entry["header"] = dict(header)
            if encoded_key:
                entry["encrypted_key"] = encoded_key
            entries.append(entry)
        token["recipients"] = entries
    if encoded_aad is not None:
        token["aad"] = encoded_aad
    if encoded_iv:
        token["iv"] = encoded_iv
    token["ciphertext"] = encoded_ciphertext
    if encoded_tag:
        token["tag"] = encoded_tag
    return token


def _load_json(text: str) -> Any:
    return strict_json.loads(
        text,
        error=SerializationError,
        subject="the JSON token",
        expected="a JWE in the JSON serialization (RFC 7516 §7.2)",
    )


def _text_member(obj: Mapping[str, Any], name: str, label: str, *, required: bool = False) -> str:
    value = obj.get(name)
    if value is None:
        if required or name in obj:
            raise SerializationError(
                f"the JSON token lacks the '{name}' member"
                if name not in obj
                else f"the '{name}' member is null",
                code="format.json_member_missing",
                expected=f"'{name}': a base64url string",
                found="none" if name not in obj else "null",
            )
        return ""
    if not isinstance(value, str):
        raise SerializationError(
            f"the '{name}' member is not a string",
            code="format.json_member_type",
            expected=f"the {label} as a base64url string",
            found=f"a JSON {type(value).__name__}",
        )
    return value


def _object_member(obj: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    if name not in obj:
        return None
    value = obj[name]
    if not isinstance(value, dict):
        raise SerializationError(
            f"the '{name}' member is not a JSON object",
            code="format.json_member_type",
            expected=f"'{name}': a JSON object of header parameters",
            found=f"a JSON {type(value).__name__}",
        )
    return value


def _recipient(obj: Mapping[str, Any], where: str) -> Recipient:
    encoded_key = _text_member(obj, "encrypted_key", "encrypted key")
    return Recipient(
        encoded_key,
        b64url_decode(encoded_key, part=f"{where}encrypted key"),
        _object_member(obj, "header"),
    )


def _general_recipients(
    obj: Mapping[str, Any], max_recipients: int
) -> tuple[list[Recipient], tuple[str, ...]]:
    """The ``recipients`` of a general JSON token (§7.2.1), and the top-level members that
    were ignored."""
    if "header" in obj:
        raise SerializationError(
            "a general JSON token has 'header' at the top level",
            code="format.json_top_level_member",
            expected="'header' only inside the 'recipients' entries (RFC 7516 §7.2.1)",
            found="a top-level 'header' beside 'recipients'",
        )
    # go-jose's FullSerialize copies recipients[0].encrypted_key to the top level. The general
    # syntax does not use that member, so it is ignored (§7.2.1): it is not integrity
    # protected, and each recipient's own encrypted_key is what counts.
    ignored = ("encrypted_key",) if "encrypted_key" in obj else ()
    entries = obj["recipients"]
    if not isinstance(entries, list) or not entries:
        raise SerializationError(
            "the 'recipients' member is not a non-empty array",
            code="format.json_recipients",
            expected="an array of recipient objects",
            found=f"a JSON {type(entries).__name__}"
            if not isinstance(entries, list)
            else "an empty array",
        )
    if len(entries) > max_recipients:
        raise SizeLimitError(
            "the token lists more recipients than the configured limit",
            code="limits.recipients",
            expected=f"at most {max_recipients} recipients",
            found=f"{len(entries)}",
            hint="Raise Limits(max_recipients=...) if such tokens are legitimate.",
        )
    recipients = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise SerializationError(
                f"recipient {index} is not a JSON object",
                code="format.json_recipients",
                expected="{'header': {...}, 'encrypted_key': '...'}",
                found=f"a JSON {type(entry).__name__}",
            )
        recipients.append(_recipient(entry, f"recipient {index}: "))
    return recipients, ignored


def parse_json(
    token: str | Mapping[str, Any], *, max_recipients: int = DEFAULT_LIMITS.max_recipients
) -> ParsedJWE:
    """Split a JSON-serialized JWE (RFC 7516 §7.2), general or flattened, and decode each part.

    A general JSON token may list at most ``max_recipients`` recipients (see :class:`Limits`).
    """
    obj = _load_json(token) if isinstance(token, str) else token
    if not isinstance(obj, Mapping):
        raise SerializationError(
            "the JSON token is not an object",
            code="format.json_not_object",
            expected="a JSON object (RFC 7516 §7.2)",
            found=f"a JSON {type(obj).__name__}",
        )
    encoded_protected = _text_member(obj, "protected", "protected header")
    if "protected" in obj and not encoded_protected:
        raise SerializationError(
            "the 'protected' member is empty",
            code="format.empty_header",
            expected="a non-empty protected header, or no 'protected' member (RFC 7516 §7.2.1)",
            found="an empty string",
        )
    unprotected = _object_member(obj, "unprotected")
    ignored: tuple[str, ...] = ()
    if "recipients" in obj:
        serialization = "general"
        recipients, ignored = _general_recipients(obj, max_recipients)
    else:
        serialization = "flattened"
        recipients = [_recipient(obj, "")]
    encoded_aad = (
        _text_member(obj, "aad", "additional authenticated data") if "aad" in obj else None
    )
    encoded_iv = _text_member(obj, "iv", "IV")
    encoded_ciphertext = _text_member(obj, "ciphertext", "ciphertext", required=True)
    encoded_tag = _text_member(obj, "tag", "authentication tag")
    known = {"protected", "unprotected", "header", "encrypted_key", "recipients", "aad", "iv",
             "ciphertext", "tag"}  # fmt: skip
    return ParsedJWE(
        serialization=serialization,
        encoded_protected_header=encoded_protected,
        protected_header=b64url_decode(encoded_protected, part="protected header"),
        recipients=tuple(recipients),
        iv=b64url_decode(encoded_iv, part="IV"),
        ciphertext=b64url_decode(encoded_ciphertext, part="ciphertext"),
        tag=b64url_decode(encoded_tag, part="authentication tag"),
        unprotected=unprotected,
        encoded_aad=encoded_aad,
        aad=None if encoded_aad is None else b64url_decode(encoded_aad, part="aad"),
        # RFC 7516 §7.2.1: members an implementation does not understand are ignored.
        extra={name: value for name, value in obj.items() if name not in known},
        ignored=ignored,
    )


def parse(
    token: Any,
    *,
    max_recipients: int = DEFAULT_LIMITS.max_recipients,
    defer_from: int | None = None,
) -> ParsedJWE:
    """Recognize the serialization of ``token`` (compact str, JSON text, or dict); split it.

    ``defer_from``: see :func:`parse_compact` (compact tokens only)."""
    if isinstance(token, Mapping):
        return parse_json(token, max_recipients=max_recipients)
    if isinstance(token, bytes | bytearray):
        try:
            token = bytes(token).decode("utf-8")
        except UnicodeDecodeError:
            raise SerializationError(
                "the token is not UTF-8 text",
                code="format.not_utf8",
                expected="a compact JWE of base64url text and '.', or JSON",
                found="bytes that are not UTF-8",
            ) from None
    if not isinstance(token, str):
        raise SerializationError(
            "the token has an unsupported type",
            code="format.type",
            expected="a compact JWE string, JSON text or a dict",
            found=type(token).__name__,
        )
    stripped = token.strip()
    if stripped.startswith("{"):
        return parse_json(token, max_recipients=max_recipients)
    if stripped != token:
        raise SerializationError(
            "the token has leading or trailing whitespace",
            code="format.whitespace",
            expected="no whitespace (RFC 7516 §7.1)",
            found="whitespace around the token",
            hint="Strip the newline your shell or HTTP client added.",
        )
    return parse_compact(token, defer_from=defer_from)
