"""Default resource limits for hostile input. Every limit is configurable per call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import InputError

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps checked before the work they guard.

    Attributes:
        max_token_bytes: the largest serialized token decrypt() will parse (default 16 MiB).
        max_p2c: the largest PBES2 iteration count accepted (default 310 000).
        max_decompressed_bytes: the largest plaintext ``zip: "DEF"`` may inflate to
            (default 16 MiB).
        max_recipients: the most recipients a general JSON token may list (default 100); each
            may cost a private-key operation.
    """

    max_token_bytes: int = 16 * MiB
    max_p2c: int = 310_000
    max_decompressed_bytes: int = 16 * MiB
    max_recipients: int = 100


DEFAULT_LIMITS = Limits()


def given_limits(limits: Any) -> Limits:
    """``limits`` as passed to decrypt(), explain() or jws.verify(): a :class:`Limits`, or
    None for the defaults; anything else is an InputError (``input.type``)."""
    if limits is None:
        return DEFAULT_LIMITS
    if not isinstance(limits, Limits):
        raise InputError(
            "limits must be a Limits",
            code="input.type",
            expected="jwe_steps.Limits(...) or None for the defaults",
            found=type(limits).__name__,
        )
    return limits
