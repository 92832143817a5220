"""Look at a token without a key: its anatomy, its header, and what its lengths imply.

A partner's sample token often arrives before any key does, or the key is theirs. Much can be
checked from the token alone: that it has the parts a JWE has, that each part is strict
base64url, what the protected header says, and whether the lengths fit what the header
announces (the IV and tag sizes that ``enc`` fixes, the encrypted key that ``alg`` implies,
which for RSA is as long as the recipient's modulus). :func:`inspect_token` does that and
never raises: whatever the input, it returns an :class:`Inspection` whose findings say what
is wrong, each with a stable code from :data:`jwe_steps.errors.CODES`.

Nothing here decrypts, so nothing here is secret: an inspection may be shared as it is.
"""

from __future__ import annotations

from ..limits import DEFAULT_LIMITS
from .model import Finding, Implication, Inspection, Part, Severity, _Builder  # noqa: F401
from .reading import _as_text, _unwrap
from .serializations import COMPACT_PARTS, _compact, _finish, _json  # noqa: F401


def inspect_token(token: str | bytes) -> Inspection:
    """Read ``token`` (compact or JSON, str or bytes) without a key and report what it is.

    Never raises for any input: every problem is a :class:`Finding` of the result. Input over
    the decryption size limit (16 MiB) is reported, not read.
    """
    out = _Builder()
    text = _as_text(token, out)
    if text is None:
        return _finish(out, "unknown")
    if len(text) > DEFAULT_LIMITS.max_token_bytes:
        out.find(
            "limits.token_size",
            "error",
            f"{len(text)} characters, more than decrypt's limit of "
            f"{DEFAULT_LIMITS.max_token_bytes} bytes; not read further",
        )
        return Inspection("unknown", findings=tuple(out.findings), input_characters=len(text))
    unwrapped = _unwrap(text, out)
    if not unwrapped:
        out.find("format.empty", "error", "the input is empty")
        result = _finish(out, "unknown")
    elif unwrapped.startswith("{"):
        result = _json(unwrapped, out)
    else:
        result = _compact(unwrapped, out)
    return Inspection(
        result.serialization,
        parts=result.parts,
        header=result.header,
        unprotected=result.unprotected,
        recipients=result.recipients,
        implications=result.implications,
        findings=result.findings,
        input_characters=len(text),
    )


__all__ = ["Finding", "Implication", "Inspection", "Part", "inspect_token"]
