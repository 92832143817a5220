"""JWE serializations (RFC 7516 §7): assembling and splitting tokens.

The compact serialization is five base64url parts joined by ``.``:
header . encrypted key . IV . ciphertext . tag
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .b64 import b64url_decode
from .errors import SerializationError

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


@dataclass(frozen=True)
class ParsedJWE:
    """A token split into its parts, both as received (encoded) and decoded."""

    serialization: str  # "compact", "flattened" or "general"
    encoded_protected_header: str
    protected_header: bytes
    recipients: tuple[Recipient, ...]
    encoded_iv: str
    iv: bytes
    encoded_ciphertext: str
    ciphertext: bytes
    encoded_tag: str
    tag: bytes
    unprotected: dict[str, Any] | None = None
    encoded_aad: str | None = None
    aad: bytes | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def serialize_compact(
    encoded_protected_header: str,
    encoded_encrypted_key: str,
    encoded_iv: str,
    encoded_ciphertext: str,
    encoded_tag: str,
) -> str:
    """RFC 7516 §7.1: the five encoded parts joined by '.'."""
    return ".".join(
        (encoded_protected_header, encoded_encrypted_key, encoded_iv, encoded_ciphertext, encoded_tag)
    )


def parse_compact(token: str) -> ParsedJWE:
    """Split a compact token and decode each part strictly (RFC 7516 §5.2 steps 1-2)."""
    parts = token.split(".")
    if len(parts) != 5:
        hint = None
        if len(parts) == 3:
            hint = "Three parts is a JWS (a signed token, e.g. a JWT), not a JWE."
        raise SerializationError(
            "a compact JWE has five parts separated by '.'",
            expected="5 parts: header.encrypted_key.iv.ciphertext.tag",
            found=f"{len(parts)} part{'s' if len(parts) != 1 else ''}",
            hint=hint,
        )
    if not parts[0]:
        raise SerializationError(
            "the protected header part is empty",
            expected="a base64url-encoded JSON header",
            found="an empty first part",
        )
    decoded = [
        b64url_decode(text, part=PART_LABELS[name]) for name, text in zip(COMPACT_PARTS, parts, strict=True)
    ]
    return ParsedJWE(
        serialization="compact",
        encoded_protected_header=parts[0],
        protected_header=decoded[0],
        recipients=(Recipient(parts[1], decoded[1]),),
        encoded_iv=parts[2],
        iv=decoded[2],
        encoded_ciphertext=parts[3],
        ciphertext=decoded[3],
        encoded_tag=parts[4],
        tag=decoded[4],
    )


def parse(token: Any) -> ParsedJWE:
    """Recognize the serialization of ``token`` and split it."""
    if isinstance(token, bytes | bytearray):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise SerializationError(
                "the token is not ASCII",
                expected="a compact JWE of base64url text and '.'",
                found="non-ASCII bytes",
            ) from None
    if not isinstance(token, str):
        raise SerializationError(
            "the token has an unsupported type",
            expected="a compact JWE string",
            found=type(token).__name__,
        )
    stripped = token.strip()
    if stripped.startswith("{"):
        raise SerializationError(
            "JSON serialization is not supported yet",
            expected="a compact JWE string",
            found="a JSON object",
        )
    if stripped != token:
        raise SerializationError(
            "the token has leading or trailing whitespace",
            expected="no whitespace (RFC 7516 §7.1)",
            found="whitespace around the token",
            hint="Strip the newline your shell or HTTP client added.",
        )
    return parse_compact(token)
