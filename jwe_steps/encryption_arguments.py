"""The arguments of :func:`jwe_steps.encrypt`, checked before RFC 7516 §5.1 starts: the
plaintext as octets, header arguments as dicts, the recipients (one, or a list of
:class:`Recipient`), and a fixed OAEP seed only where it may be used."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import algorithms as registry
from .errors import InputError
from .header import check_outgoing_header
from .primitives import FROM_SCRATCH

RECIPIENT_FIELDS = frozenset({"key", "alg", "header", "ephemeral_key"})


@dataclass
class Recipient:
    """One recipient of a JWE: its key, its ``alg``, and optionally its per-recipient
    (unprotected) header and a fixed ECDH-ES ephemeral private key (to reproduce examples).

    Pass a list of them as ``encrypt(..., recipients=[Recipient(key, "RSA-OAEP-256"), ...])``
    (dicts with the same fields are accepted too).
    """

    key: Any
    alg: str
    header: Mapping[str, Any] | None = None
    ephemeral_key: Any = None


def as_plaintext(plaintext: object, what: str = "plaintext") -> bytes:
    """The plaintext (or a JWS payload: ``what``) as octets: bytes as they are, str as UTF-8."""
    if isinstance(plaintext, str):
        try:
            return plaintext.encode("utf-8")
        except UnicodeEncodeError as error:
            raise InputError(
                f"the {what} is a str that is not Unicode text",
                code="input.plaintext",
                expected="a str of Unicode characters, or bytes",
                found=f"a lone surrogate at character {error.start}",
                hint="Pass bytes to send arbitrary octets.",
            ) from None
    if isinstance(plaintext, bytes | bytearray | memoryview):
        return bytes(plaintext)
    raise InputError(
        f"the {what} has an unsupported type",
        code="input.plaintext",
        expected="bytes or str (encoded as UTF-8)",
        found=type(plaintext).__name__,
        hint="Serialize objects first, e.g. json.dumps(obj).",
    )


def header_members(value: Mapping[str, Any] | None, label: str) -> dict[str, Any]:
    """A header argument as a fresh dict, after :func:`check_outgoing_header`."""
    if value is None:
        return {}
    check_outgoing_header(value, label)
    return dict(value)


def recipient_list(
    key: Any,
    alg: str | None,
    recipient_header: Mapping[str, Any] | None,
    ephemeral_key: Any,
    recipients: Sequence[Recipient | Mapping[str, Any]] | None,
) -> list[Recipient]:
    """The recipients: ``key``/``alg``/... as one, or the ``recipients`` list."""
    if recipients is None:
        if key is None or alg is None:
            raise InputError(
                "encrypt() needs a recipient",
                code="input.recipients",
                expected="key= and alg=, or recipients=[Recipient(key, alg), ...]",
                found="no key" if key is None else "no alg",
            )
        return [Recipient(key, alg, recipient_header, ephemeral_key)]
    given = [n for n, v in (("key", key), ("alg", alg), ("recipient_header", recipient_header),
                             ("ephemeral_key", ephemeral_key)) if v is not None]  # fmt: skip
    if given:
        raise InputError(
            "recipients= replaces key=, alg=, recipient_header= and ephemeral_key=",
            code="input.recipients",
            expected="each recipient's values inside its recipients entry",
            found="also " + ", ".join(given),
        )
    entries: Any = recipients
    if isinstance(entries, str | bytes) or not isinstance(entries, Sequence) or not entries:
        raise InputError(
            "recipients must be a non-empty list",
            code="input.recipients",
            expected="[Recipient(key, alg, header=...), ...]",
            found=type(recipients).__name__ if not isinstance(recipients, Sequence) else "nothing",
        )
    return [_recipient(index, entry) for index, entry in enumerate(recipients)]


def _recipient(index: int, entry: object) -> Recipient:
    if isinstance(entry, Recipient):
        return entry
    if not isinstance(entry, Mapping) or "key" not in entry or "alg" not in entry:
        raise InputError(
            f"recipient {index} is incomplete",
            code="input.recipients",
            expected="a Recipient, or a dict with 'key' and 'alg' (and optionally 'header', "
            "'ephemeral_key')",
            found=type(entry).__name__
            if not isinstance(entry, Mapping)
            else "keys " + ", ".join(map(str, entry)),
        )
    unknown = set(entry) - RECIPIENT_FIELDS
    if unknown:
        raise InputError(
            f"recipient {index} has unknown fields",
            code="input.recipients",
            expected=", ".join(sorted(RECIPIENT_FIELDS)),
            found=", ".join(sorted(map(str, unknown))),
        )
    return Recipient(entry["key"], entry["alg"], entry.get("header"), entry.get("ephemeral_key"))


def check_oaep_seed(engine: str, oaep_seed: object, algs: Sequence[object]) -> bytes | None:
    """``oaep_seed`` if it may be used: with the from-scratch engine and RSA-OAEP only."""
    if oaep_seed is None:
        return None
    if engine != FROM_SCRATCH:
        raise InputError(
            "a fixed OAEP seed needs the from-scratch engine",
            code="input.oaep_seed",
            expected="engine='from_scratch' together with oaep_seed",
            found=f"engine={engine!r}",
            hint="The cryptography library always draws its own OAEP seed.",
        )
    families = {
        registry.KEY_MANAGEMENT[a].family
        for a in algs
        if isinstance(a, str) and a in registry.KEY_MANAGEMENT
    }
    if "rsa_oaep" not in families:
        raise InputError(
            "oaep_seed is only used by RSA-OAEP key encryption",
            code="input.oaep_seed",
            expected="alg RSA-OAEP, RSA-OAEP-256, RSA-OAEP-384 or RSA-OAEP-512",
            found=", ".join(repr(a) for a in algs)[:80],
        )
    if not isinstance(oaep_seed, bytes):
        raise InputError(
            "oaep_seed must be bytes", code="input.oaep_seed", found=type(oaep_seed).__name__
        )
    return oaep_seed
