"""Verification owns every proof; views only read what it stored on the Trace.

:func:`verify` compares a recorded value with one obtained elsewhere and stores the outcome on
the Trace, naming its witness and the witness's kind:

- ``"vector"``: a published test vector (RFC 7516 A.1.6, RFC 7520 §5.x, NIST SP 800-38D, ...);
- ``"independent"``: a computation that shares no code with what it checks (``hashlib``,
  ``cryptography`` where the teaching code did the work, a second implementation written inline);
- ``"given"``: anything else, in particular an echo of an input (the IV you injected) or a
  recomputation through the code under test. It is shown, never badged as proof.

A badge says "verified" only for an equal value whose witness is a vector or independent;
"given" for an equal value whose witness is neither; "differs" for any mismatch, whatever the kind.

    >>> verify(trace, "tag", A1.tag, "RFC 7516 A.1.6", kind="vector")
    >>> verify(trace, "iv", A1.iv, "the IV injected above")          # kind="given": an echo

:func:`cross_check` checks an encryption against computations that share no code with the
engine that made it (the from-scratch engine for a ``cryptography`` trace, and the reverse).
Nothing here draws anything.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

from .trace import Step, Trace

if TYPE_CHECKING:
    from .keys import Key

Kind = Literal["vector", "independent", "given"]
Status = Literal["verified", "given", "differs"]
KINDS: tuple[str, ...] = get_args(Kind)
STATUSES: tuple[str, ...] = get_args(Status)
_PROOF_KINDS = frozenset({"vector", "independent"})


@dataclass(frozen=True)
class Verification:
    """The outcome of comparing a recorded value with a witness.

    ``status`` is "verified" (equal, and the witness is a vector or independent), "given"
    (equal, but the witness proves nothing: an injected input or the same code path) or
    "differs" (not equal, whatever the witness).
    """

    name: str
    source: str
    kind: Kind
    equal: bool
    differing: tuple[int, ...] = ()  # byte offsets where the two differ (bytes values only)
    expected: Any = field(default=None, repr=False, compare=False)

    @property
    def status(self) -> Status:
        if not self.equal:
            return "differs"
        return "verified" if self.kind in _PROOF_KINDS else "given"

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    def __bool__(self) -> bool:
        # ``assert verify(...)`` fails on a mismatch; whether it proves anything is ``status``.
        return self.equal

    def __str__(self) -> str:
        if self.status == "verified":
            return f"{self.name}: verified against {self.source} ({self.kind})"
        if self.status == "given":
            return f"{self.name}: given by {self.source} (not an independent check)"
        where = f" at {len(self.differing)} byte offsets" if self.differing else ""
        return f"{self.name}: DIFFERS from {self.source}{where} ({self.kind})"


def differing_bytes(actual: bytes, expected: bytes) -> tuple[int, ...]:
    """Offsets where ``actual`` and ``expected`` differ; a length difference counts from the end
    of the shorter one."""
    if actual == expected:  # the usual case, compared in C (a value may be megabytes)
        return ()
    shorter = min(len(actual), len(expected))
    offsets: list[int] = []
    for start in range(0, shorter, _BLOCK):  # equal blocks are skipped in C as well
        mine, theirs = actual[start : start + _BLOCK], expected[start : start + _BLOCK]
        if mine != theirs:
            pairs = enumerate(zip(mine, theirs, strict=False))  # the last block may be uneven
            offsets += (start + index for index, (a, b) in pairs if a != b)
    offsets += range(shorter, max(len(actual), len(expected)))
    return tuple(offsets)


_BLOCK = 4096


def compare(actual: Any, expected: Any) -> tuple[bool, tuple[int, ...]]:
    """``(equal, differing offsets)``; offsets only for two byte strings."""
    if isinstance(actual, bytes | bytearray) and isinstance(expected, bytes | bytearray):
        differing = differing_bytes(bytes(actual), bytes(expected))
        return not differing, differing
    return actual == expected, ()


def _trace_of(source: Any) -> Trace:
    if isinstance(source, Trace):
        return source
    inner = getattr(source, "trace", None)  # an Explanation
    if isinstance(inner, Trace):
        return inner
    raise TypeError(f"verify needs a Trace or an Explanation, got {type(source).__name__}")


def verify(trace: Any, name: str, expected: Any, source: str, kind: Kind = "given") -> Verification:
    """Compare step ``name`` of ``trace`` with ``expected`` and store the outcome on the trace.

    ``source`` names the witness (``"RFC 7516 A.1.6"``, ``"hashlib.sha256"``); ``kind`` says
    what it is (see the module docstring). The step itself is not touched: the result is kept
    in ``trace.verifications`` and read by the step cards and the terminal view.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    target = _trace_of(trace)
    step = target.step(name)  # KeyError naming the known steps when there is none
    equal, differing = compare(step.value, expected)
    result = Verification(name, source, kind, equal, differing, expected)
    target.attach_verification(step, result)
    # Compatibility for notebooks written before this module: they read step.detail["verified"]
    # (whether the values were equal, not whether that proves anything). Read .status instead.
    step.detail.update(verified=equal, verified_by=source)
    return result


def verifications_of(trace: Any, step: Step) -> tuple[Verification, ...]:
    """Every verification stored for ``step`` of ``trace`` (empty when it was never checked)."""
    try:
        target = _trace_of(trace)
    except TypeError:
        return ()
    return tuple(v for v in target.verifications_of(step) if isinstance(v, Verification))


def overall(results: tuple[Verification, ...]) -> Status | None:
    """One status for several witnesses: any mismatch differs; else any proof verifies."""
    if not results:
        return None
    statuses = {result.status for result in results}
    if "differs" in statuses:
        return "differs"
    return "verified" if "verified" in statuses else "given"


# ---------------------------------------------------------------- cross-checks

CROSS_CHECK_LIMIT = 4096  # bytes of content the pure-Python engine re-encrypts in a widget


def _made_from_scratch(trace: Trace) -> bool:
    """Whether the content cipher ran in the from-scratch engine (it records its inner steps)."""
    return any(step.name.startswith(("gcm.", "cbc_hmac.")) for step in trace.steps)


def _content_witness(
    enc: Any, cek: bytes, iv: bytes, content: bytes, aad: bytes, from_scratch: bool
) -> tuple[bytes, bytes, str] | None:
    """``(ciphertext, tag, witness)`` from the implementation that did *not* make the trace."""
    family, mac_hash = enc.family, enc.mac_hash
    if not from_scratch:
        from .from_scratch import cbc_hmac, gcm

        if family == "aes_gcm":
            sealed = gcm.encrypt(cek, iv, content, aad)
            return sealed.ciphertext, sealed.tag, "the from-scratch AES-GCM"
        if family == "aes_cbc_hmac":
            cbc = cbc_hmac.encrypt(cek, iv, content, aad)
            return cbc.ciphertext, cbc.tag, "the from-scratch CBC-HMAC"
        return None
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.padding import PKCS7

    if family == "aes_gcm":
        both = AESGCM(cek).encrypt(iv, content, aad)
        return both[:-16], both[-16:], "cryptography's AESGCM"
    if family == "aes_cbc_hmac":
        half = len(cek) // 2
        padder = PKCS7(128).padder()
        padded = padder.update(content) + padder.finalize()
        encryptor = Cipher(algorithms.AES(cek[half:]), modes.CBC(iv)).encryptor()
        ciphertext = encryptor.update(padded) + encryptor.finalize()
        al = (8 * len(aad)).to_bytes(8, "big")
        digest = str(mac_hash).replace("-", "").lower()  # "SHA-256" -> hashlib's "sha256"
        mac = hmac.new(cek[:half], aad + iv + ciphertext + al, digest).digest()
        return ciphertext, mac[: enc.tag_size], "cryptography's AES-CBC with hashlib's HMAC"
    return None


def check_aad(trace: Trace) -> Verification | None:
    """RFC 7516 §5.1 step 14: the AAD is ASCII(the protected header's encoded text), followed by
    '.' and the ``aad`` member in a JSON serialization that has one. The witness is cut from
    the token itself here (the compact text up to its first '.', or the JSON token's own
    members), not taken from the step the AAD was made from, so an AAD computed from anything
    but what was sent (or received) differs. None when the trace has no token to cut it from.
    """
    if "token" not in trace or "aad" not in trace:
        return None
    token = trace["token"]
    if isinstance(token, str) and token.lstrip().startswith("{"):
        try:
            token = json.loads(token)
        except ValueError:
            return None
    if isinstance(token, str):
        if token.count(".") != 4 or not token.isascii():
            return None
        text, source = token[: token.index(".")], "ASCII(the token's text up to its first '.')"
    elif isinstance(token, dict) and isinstance(token.get("protected", ""), str):
        text, source = token.get("protected", ""), "ASCII(the token's protected member"
        if "aad" in token:
            if not isinstance(token["aad"], str):
                return None
            text, source = f"{text}.{token['aad']}", source + " '.' its aad member"
        source += ")"
        if not text.isascii():
            return None
    else:
        return None
    return verify(trace, "aad", text.encode("ascii"), source, "independent")


def cross_check(trace: Any, key: Key | None = None) -> list[Verification]:
    """Check an encryption against computations that share no code with what made it.

    - the AAD against the token's own text: its first part (compact), or its protected and aad
      members (JSON): :func:`check_aad`;
    - ciphertext and tag re-encrypted by the *other* engine: the from-scratch AES-GCM /
      CBC-HMAC for a ``cryptography`` trace, ``cryptography`` for a from-scratch one (content up
      to :data:`CROSS_CHECK_LIMIT` bytes);
    - an AES-KW encrypted key, when ``key`` is the wrapping key: re-wrapped by the from-scratch
      key wrap (RFC 3394) for a ``cryptography`` trace.

    Every comparison is stored with :func:`verify` as ``kind="independent"``.
    """
    from . import algorithms as registry

    target = _trace_of(trace)
    header: dict[str, Any] = getattr(target, "header", {}) or {}
    results: list[Verification] = []
    aad_check = check_aad(target)
    if aad_check is not None:
        results.append(aad_check)
    enc = registry.CONTENT_ENCRYPTION.get(str(header.get("enc")))
    needed = ("cek", "iv", "aad", "ciphertext", "tag")
    if enc is not None and all(name in target for name in needed):
        compressed = "compressed_plaintext" in target
        content = target["compressed_plaintext"] if compressed else target["plaintext"]
        if len(content) <= CROSS_CHECK_LIMIT:
            witness = _content_witness(
                enc,
                target["cek"],
                target["iv"],
                content,
                target["aad"],
                _made_from_scratch(target),
            )
            if witness is not None:
                ciphertext, tag, source = witness
                results.append(verify(target, "ciphertext", ciphertext, source, "independent"))
                results.append(verify(target, "tag", tag, source, "independent"))
    management = registry.KEY_MANAGEMENT.get(str(header.get("alg")))
    wraps = management is not None and management.family == "aes_kw"
    if wraps and key is not None and key.kty == "oct" and "cek" in target:
        results.append(_key_wrap_check(target, key.material))
    return results


def _key_wrap_check(trace: Trace, kek: bytes) -> Verification:
    """The AES-KW encrypted key, re-wrapped by the implementation that did not make it."""
    if any(step.name.startswith("aes_kw.") for step in trace.steps):
        from cryptography.hazmat.primitives.keywrap import aes_key_wrap

        wrapped, source = aes_key_wrap(kek, trace["cek"]), "cryptography's AES key wrap"
    else:
        from .from_scratch import aes_kw

        wrapped, source = aes_kw.wrap(kek, trace["cek"]).wrapped, "the from-scratch AES key wrap"
    return verify(trace, "encrypted_key", wrapped, source, kind="independent")


__all__ = [
    "CROSS_CHECK_LIMIT",
    "KINDS",
    "STATUSES",
    "Kind",
    "Status",
    "Verification",
    "check_aad",
    "compare",
    "cross_check",
    "differing_bytes",
    "overall",
    "verifications_of",
    "verify",
]
