"""JSON Web Signature (RFC 7515), compact serialization, staged like the JWE.

A JWE proves nothing about who sent it: anyone can encrypt to a public key. A partner API that
must know its caller asks for a signature inside the encryption (see :mod:`jwe_steps.nested`).
This module makes and checks that signature one RFC 7515 §5 step at a time, recording each value
in a Trace, as :func:`jwe_steps.encrypt` does for a JWE:

    >>> from jwe_steps import jws
    >>> key = jws.generate_signing_key("ES256")          # a DEMO key
    >>> signed = jws.sign(b'{"iss":"me"}', key, alg="ES256")
    >>> jws.verify(signed.token, key.public_key(), algorithms={"ES256"}).payload
    b'{"iss":"me"}'

Algorithms (RFC 7518 §3): RS256/384/512 (RSASSA-PKCS1-v1_5), PS256/384/512 (RSASSA-PSS),
ES256/384/512 (ECDSA; the signature is R || S, never DER: the classic interop mistake), and
HS256/384/512 (HMAC). ``none`` is never accepted. :func:`verify` needs an explicit allow-list,
and HMAC algorithms are only accepted when named in it, so a public key can never be used as an
HMAC secret (the "algorithm confusion" attack, RFC 8725 §2.1).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from . import strict_json
from .b64 import b64url_decode, b64url_decode_slice, b64url_encode, b64url_encode_pieces
from .display import brief, name_or_kind
from .encryption_arguments import as_plaintext
from .errors import (
    AlgorithmError,
    HeaderError,
    InputError,
    SerializationError,
    SignatureError,
    SizeLimitError,
    Stage,
)
from .header import check_member_count, check_outgoing_header, memo_members, serialize_header
from .jws_algorithms import (
    ALGORITHMS,
    DEFAULT_ALGORITHMS,
    SignatureAlgorithm,
    as_key,
    check_key,
    check_received_header,
    check_typ,
    generate_signing_key,
    select_key,
    signature_algorithm,
    signing_allow_list,
)
from .keys import Key, load_key
from .limits import DEFAULT_LIMITS, Limits, given_limits
from .serialization import separators
from .trace import Deferred, Trace, blank_starter

_SIGN_RFC = "RFC 7515 §5.1"
_VERIFY_RFC = "RFC 7515 §5.2"


@dataclass(repr=False)
class SignTrace(Trace):
    """What :func:`sign` did, step by step; ``.token`` is the compact JWS (a str), and
    ``.token_bytes`` the same text as ASCII bytes (what a JWE carries as its plaintext)."""

    operation: str = "sign"
    token: str = ""  # a property below: see _get_token
    header: dict[str, Any] = field(default_factory=dict)

    def title(self) -> str:
        return f"JWS signing: {self.header.get('alg')}"

    @property
    def token_bytes(self) -> bytes:
        """The compact JWS as ASCII bytes: :func:`sign` builds these first, and ``.token``
        decodes them when it is first read (a nested JWT encrypts the bytes, so a large
        payload's text is not made, in fresh memory, once more)."""
        compact: _CompactText | None = self.__dict__.get("_compact")
        return self.token.encode("ascii") if compact is None else compact.data


class _CompactText:
    """A compact JWS held as ASCII bytes, decoded to text once, when first asked for (by
    ``SignTrace.token`` or the ``token`` step, which share the one str)."""

    __slots__ = ("_text", "data")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._text: str | None = None

    def text(self) -> str:
        if self._text is None:
            self._text = self.data.decode("ascii")
        return self._text


def _get_token(self: SignTrace) -> str:
    compact: _CompactText | None = self.__dict__.get("_compact")
    return self.__dict__.get("_token", "") if compact is None else compact.text()


def _set_token(self: SignTrace, value: str) -> None:
    self.__dict__["_token"] = value
    self.__dict__.pop("_compact", None)


# ``token`` stays a dataclass field (SignTrace(token=...), equality), read through this property.
SignTrace.token = property(_get_token, _set_token)  # type: ignore[assignment]


@dataclass(repr=False)
class VerifyTrace(Trace):
    """What :func:`verify` did, step by step; ``.payload`` is the verified payload."""

    operation: str = "verify"
    payload: bytes = b""
    header: dict[str, Any] = field(default_factory=dict)

    def title(self) -> str:
        return f"JWS verification: {self.header.get('alg')}"


# Trace.started() for the traces every sign and verify starts, bound once.
_start_sign_trace = blank_starter(SignTrace)
_start_verify_trace = blank_starter(VerifyTrace)


# ---------------------------------------------------------------- signing (RFC 7515 §5.1)


@functools.cache
def _padding(algorithm: SignatureAlgorithm) -> Any:
    """The ``cryptography`` padding (RSA) or signature algorithm (ECDSA) for ``algorithm``:
    immutable parameter objects, made once per alg rather than on every call."""
    if algorithm.family == "rsa_pkcs1":
        return padding.PKCS1v15()
    if algorithm.family == "rsa_pss":
        return padding.PSS(mgf=padding.MGF1(algorithm.hash()), salt_length=algorithm.hash_bytes)
    return ec.ECDSA(algorithm.hash())


def _signature(
    algorithm: SignatureAlgorithm, key: Key, signing_input: bytes, trace: Trace
) -> bytes:
    """§5.1 step 5: the JWS Signature over the signing input, in the form JWS wants."""
    if algorithm.family == "hmac":
        return hmac.new(key.material, signing_input, algorithm.hash_name).digest()
    if algorithm.family != "ecdsa":
        return bytes(key.material.sign(signing_input, _padding(algorithm), algorithm.hash()))
    der = trace.add(
        "signature_der",
        bytes(key.material.sign(signing_input, _padding(algorithm))),
        "the ECDSA signature as most crypto libraries return it: ASN.1 DER SEQUENCE {r, s}",
        "RFC 7518 §3.4",
        inputs=("signing_input",),
        operation=f"ECDSA-{algorithm.curve}-{algorithm.hash_name.upper()} sign",
    )
    r, s = decode_dss_signature(der)
    size = algorithm.coordinate_bytes
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


@dataclass(frozen=True)
class _SigningPlan:
    """What one ``(signer, alg, header)`` fixes: checked once, kept on the key."""

    algorithm: SignatureAlgorithm
    members: dict[str, Any]  # copied for each trace
    encoded_header: str


MAX_SIGNING_PLANS = 64
"""How many signing plans (distinct ``alg`` and header arguments) one key keeps."""


def _signing_plan(signer: Key, alg: Any, header: Mapping[str, Any] | None) -> _SigningPlan:
    """§5.1 steps 3-4 and the key checks for these arguments: worked out on the first call and
    kept on the key (``Key._memo``) when the header holds only str, int and bool values."""
    members_key = () if header is None else memo_members(header)
    plans: dict[Any, _SigningPlan] | None = None
    if members_key is not None and type(alg) is str:
        plans = signer._memo.setdefault("jws_signing", {})
        plan = plans.get((alg, members_key))
        if plan is not None:
            return plan
    algorithm = signature_algorithm(alg)
    check_key(algorithm, signer, "sign")
    members = _protected_header(alg, header, signer)
    plan = _SigningPlan(algorithm, members, b64url_encode(serialize_header(members)))
    if plans is not None:
        if len(plans) >= MAX_SIGNING_PLANS:
            plans.clear()
        plans[(alg, members_key)] = plan
    return plan


def sign(
    payload: bytes | str,
    key: Any,
    *,
    alg: str,
    header: Mapping[str, Any] | None = None,
) -> SignTrace:
    """Sign ``payload`` with ``key`` as a compact JWS and return every intermediate value.

    Args:
        payload: bytes, or str (encoded as UTF-8).
        key: the signer's private key (a :class:`Key` or anything :func:`load_key` accepts).
        alg: the JWS algorithm (RS256, PS256, ES256, HS256 and their larger sizes).
        header: further protected header members (``kid``, ``typ``, ``cty``). The key's kid is
            added when the key has one and the header sets none.
    """
    if not isinstance(key, Key):
        signature_algorithm(alg)  # an unknown alg is named before the key is read
    signer = key if isinstance(key, Key) else load_key(key)
    plan = _signing_plan(signer, alg, header)
    data = payload if type(payload) is bytes else as_plaintext(payload, "payload")
    encoded_header = plan.encoded_header
    # ASCII(encoded header '.' BASE64URL(payload)), made in one allocation: the payload's
    # encoding goes piece by piece into it, and becomes text of its own only if it is read.
    signing_input = b"".join((encoded_header.encode("ascii"), b".", *b64url_encode_pieces(data)))
    start = len(encoded_header) + 1
    encoded_payload = Deferred(
        lambda: str(memoryview(signing_input)[start:], "ascii"), len(signing_input) - start
    )
    trace = _start_sign_trace()
    members = trace.header = dict(plan.members)
    trace._log.extend((
        ("payload", data, "the JWS Payload: the bytes to sign", f"{_SIGN_RFC} step 1", None),
        ("encoded_payload", encoded_payload, "BASE64URL(JWS Payload)", f"{_SIGN_RFC} step 2",
         {"inputs": ("payload",), "operation": "BASE64URL"}),
        ("protected_header", members, "the JWS Protected Header", f"{_SIGN_RFC} step 3", None),
        ("encoded_header", encoded_header, "BASE64URL(UTF8(JWS Protected Header))",
         f"{_SIGN_RFC} step 4",
         {"inputs": ("protected_header",), "operation": "BASE64URL(UTF8(JSON))"}),
        ("signing_input", signing_input,
         "the JWS Signing Input: ASCII(encoded header '.' encoded payload)", f"{_SIGN_RFC} step 5",
         {"inputs": ("encoded_header", "encoded_payload"), "operation": "ASCII(h '.' p)"}),
    ))  # fmt: skip
    signature = _record_signature(plan.algorithm, signer, signing_input, trace)
    encoded_signature = b64url_encode(signature)
    # The token as bytes in one allocation; its text is made only if someone reads it.
    compact = trace.__dict__["_compact"] = _CompactText(
        b".".join((signing_input, encoded_signature.encode("ascii")))
    )
    trace._log.extend((
        ("encoded_signature", encoded_signature, "BASE64URL(JWS Signature)",
         f"{_SIGN_RFC} step 6", {"inputs": ("signature",), "operation": "BASE64URL"}),
        ("token", Deferred(compact.text, len(compact.data)),
         "the JWS Compact Serialization: header '.' payload '.' signature",
         "RFC 7515 §7.1",
         {"inputs": ("encoded_header", "encoded_payload", "encoded_signature"),
          "operation": "h '.' p '.' s"}),
    ))  # fmt: skip
    return trace


def _protected_header(alg: str, header: Mapping[str, Any] | None, signer: Key) -> dict[str, Any]:
    """§5.1 step 3: ``alg`` first, the caller's members, and the key's kid unless one is set.
    Nothing a verifier must refuse is emitted: ``crit`` (no extension is implemented, and
    RFC 7515 §4.1.11 makes a verifier refuse what it does not understand) and ``b64``
    (RFC 7797's unencoded payload is not implemented: this signs the base64url payload)."""
    if header is not None:
        check_outgoing_header(header, "header")
        for name in ("crit", "b64"):
            if name in header:
                raise InputError(
                    f"jws.sign does not write the {name!r} header parameter",
                    code="input.header",
                    expected="no 'crit' or 'b64': this library signs the base64url payload "
                    "and implements no critical extension",
                    found=f"{name!r} in the header",
                )
    members = {"alg": alg, **(dict(header) if header else {})}
    if members.get("alg") != alg:
        raise HeaderError(
            "the header's alg differs from the alg argument",
            code="jws.header",
            expected=repr(alg),
            found=name_or_kind(members.get("alg"), 32),
            stage=Stage.SIGNATURE,
        )
    if signer.kid is not None:
        members.setdefault("kid", signer.kid)
    check_member_count(members, "JWS protected header")  # as encrypt: nothing verify refuses
    return members


def _record_signature(
    algorithm: SignatureAlgorithm, signer: Key, signing_input: bytes, trace: Trace
) -> bytes:
    """§5.1 step 5: the digest the private key signs (asymmetric algs), then the signature."""
    if algorithm.family != "hmac":
        hash_name = algorithm.hash_name  # the digest is for the reader: hashed only when read
        trace.add_deferred(
            "digest",
            Deferred(
                lambda: hashlib.new(hash_name, signing_input).digest(),
                algorithm.hash_bytes,
            ),
            f"{algorithm.hash_name.upper()} of the signing input: what the private key signs",
            algorithm.rfc,
            inputs=("signing_input",),
            operation=algorithm.hash_name.upper(),
        )
    ecdsa = algorithm.family == "ecdsa"
    signature: bytes = trace.add(
        "signature",
        _signature(algorithm, signer, signing_input, trace),
        _signature_meaning(algorithm),
        f"{_SIGN_RFC} step 5, {algorithm.rfc}",
        inputs=("signature_der",) if ecdsa else ("signing_input",),
        operation="R || S, each fixed-length big-endian" if ecdsa else f"{algorithm.name} sign",
    )
    return signature


def _signature_meaning(algorithm: SignatureAlgorithm) -> str:
    if algorithm.family == "ecdsa":
        size = algorithm.coordinate_bytes
        return f"the JWS Signature: R || S, {size} + {size} bytes (not DER)"
    if algorithm.family == "hmac":
        return f"the JWS Signature: HMAC-{algorithm.hash_name.upper()} of the signing input"
    return f"the JWS Signature: {algorithm.name} over the signing input"


# ---------------------------------------------------------------- verifying (RFC 7515 §5.2)


def _count(number: int, word: str) -> str:
    """``number`` and ``word``, plural unless there is one: "1 part", "4 parts"."""
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


_BYTES = (bytes, bytearray)  # a tuple: ``bytes | bytearray`` is a new union on every call


def _split(token: Any, limits: Limits) -> tuple[str, int, int]:
    """The compact JWS as text and the positions of its two separators (RFC 7515 §7.1)."""
    if isinstance(token, _BYTES):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise SerializationError(
                "the JWS is not ASCII",
                code="format.not_ascii",
                expected="a compact JWS: base64url parts joined by '.'",
                found="a non-ASCII byte",
                stage=Stage.SIGNATURE,
            ) from None
    if not isinstance(token, str):
        raise SerializationError(
            "a compact JWS is text",
            code="jws.format",
            expected="str",
            found=type(token).__name__,
            stage=Stage.SIGNATURE,
        )
    if len(token) > limits.max_token_bytes:
        raise SizeLimitError(
            "the JWS is larger than the limit",
            code="limits.token_size",
            expected=f"at most {limits.max_token_bytes} characters",
            found=f"{len(token)} characters",
        )
    if token and (token[0].isspace() or token[-1].isspace()):  # (strip() would copy it)
        raise SerializationError(
            "the JWS has whitespace around it",
            code="format.whitespace",
            expected="no spaces or newlines",
            found="leading or trailing whitespace (often a newline)",
            stage=Stage.SIGNATURE,
        )
    dots = separators(token, 2)
    if dots is None:
        parts = token.split(".")  # only to say how many there were
        raise SerializationError(
            "a compact JWS has three parts",
            code="jws.format",
            expected="header.payload.signature",
            found=_count(len(parts), "part"),
            hint="Five parts is a JWE: decrypt it first." if len(parts) == 5 else None,
            stage=Stage.SIGNATURE,
        )
    return token, dots[0], dots[1]


MAX_REMEMBERED_HEADERS = 256
"""How many distinct JWS header texts :func:`verify` keeps parsed (as the JWE compact path
does for JWE headers, :data:`jwe_steps.compact_path.MAX_REMEMBERED_HEADERS`)."""
MAX_HEADER_TEXT = 1024
"""The longest JWS header text that is remembered."""
_remembered_headers: dict[str, dict[str, Any]] = {}


def _parse_header(encoded_header: str, trace: Trace) -> dict[str, Any]:
    """§5.2 steps 2-3: the header decoded and strictly parsed, recorded, then checked. A text
    seen before (that passed, with only str, int and bool members) is not parsed or checked
    again: what is remembered is a copy of a header that passed."""
    remembered = _remembered_headers.get(encoded_header)
    header = _decode_header(encoded_header) if remembered is None else dict(remembered)
    trace._log.append((
        "protected_header", header, "the JWS Protected Header, decoded and parsed",
        f"{_VERIFY_RFC} steps 2-3",
        {"inputs": ("encoded_header",), "operation": "JSON(UTF8(BASE64URL-DECODE))"},
    ))  # fmt: skip
    if remembered is not None:
        return header
    check_received_header(header)
    if len(encoded_header) <= MAX_HEADER_TEXT and memo_members(header) is not None:
        if len(_remembered_headers) >= MAX_REMEMBERED_HEADERS:
            _remembered_headers.clear()
        _remembered_headers[encoded_header] = dict(header)
    return header


def _decode_header(encoded_header: str) -> dict[str, Any]:
    raw = b64url_decode(encoded_header, part="the JWS header")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HeaderError(
            "the JWS header is not UTF-8",
            code="header.utf8",
            expected="UTF-8 JSON",
            found="invalid UTF-8",
            stage=Stage.SIGNATURE,
        ) from None
    header = strict_json.loads(
        text, error=HeaderError, subject="the JWS header", expected="a JSON object"
    )
    if not isinstance(header, dict):
        raise HeaderError(
            "the JWS header is not a JSON object",
            code="jws.header",
            expected="a JSON object",
            found=strict_json.json_kind(header),
            stage=Stage.SIGNATURE,
        )
    # The JWE side's cap: no header worth reading has more, and none is kept (or remembered).
    check_member_count(header, "JWS header")
    return header


def _check_allowed(algorithm: SignatureAlgorithm, allowed: frozenset[str]) -> None:
    if algorithm.name not in allowed:
        raise AlgorithmError(
            "the JWS alg is not in the allow-list",
            code="jws.algorithm_not_allowed",
            expected="one of " + ", ".join(sorted(allowed)),
            found=repr(algorithm.name),
            stage=Stage.SIGNATURE,
        )


def _signature_holds(
    algorithm: SignatureAlgorithm, key: Key, signing_input: bytes | memoryview, signature: bytes
) -> bool:
    public = key.material if algorithm.family == "hmac" else key._public_material()
    try:
        if algorithm.family == "hmac":
            expected = hmac.new(public, signing_input, algorithm.hash_name).digest()
            return hmac.compare_digest(expected, signature)
        if algorithm.family != "ecdsa":
            public.verify(signature, signing_input, _padding(algorithm), algorithm.hash())
        else:
            size = algorithm.coordinate_bytes
            der = encode_dss_signature(
                int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
            )
            public.verify(der, signing_input, _padding(algorithm))
    except InvalidSignature:
        return False
    return True


def _check_signature_length(algorithm: SignatureAlgorithm, key: Key, signature: bytes) -> None:
    if algorithm.family == "ecdsa":
        expected = 2 * algorithm.coordinate_bytes
        hint = "A DER signature (30 ...) must be converted to R || S (RFC 7518 §3.4)."
    elif algorithm.family == "hmac":
        expected, hint = algorithm.hash_bytes, "RFC 7518 §3.2 forbids truncated HMACs."
    else:
        expected, hint = (key.size_bits + 7) // 8, None
    if len(signature) != expected:
        looks_der = algorithm.family == "ecdsa" and signature[:1] == b"\x30"
        der = ", starting 0x30 like DER" if looks_der else ""
        raise SignatureError(
            "the signature has the wrong length for the alg",
            code="jws.signature_length",
            expected=f"{expected} bytes",
            found=_count(len(signature), "byte") + der,
            hint=hint,
        )


def _verification_arguments(
    algorithms: Any, typ: Any, limits: Any
) -> tuple[frozenset[str], Limits]:
    """verify()'s allow-list as a set of JWS alg names (:func:`signing_allow_list`: one str is
    one name) and its limits, once ``typ`` is known to be a str or None."""
    if typ is not None and type(typ) is not str:
        raise InputError(
            "typ must be a str", code="input.type", expected="a media type such as 'JWT', or None",
            found=type(typ).__name__,
        )  # fmt: skip
    limits = DEFAULT_LIMITS if limits is None else given_limits(limits)
    return signing_allow_list(algorithms), limits


def read_unverified(
    token: str | bytes, *, limits: Limits | None = None
) -> tuple[dict[str, Any], bytes]:
    """The header and payload of a compact JWS, strictly parsed but NOT verified.

    Only for choosing the verification key (e.g. by ``kid`` or the claimed issuer); trust
    nothing in them until :func:`verify` has checked the signature.
    """
    text, first, second = _split(token, DEFAULT_LIMITS if limits is None else given_limits(limits))
    header = _parse_header(text[:first], VerifyTrace())
    return header, b64url_decode_slice(text, first + 1, second, part="the JWS payload")


def verify(
    token: str | bytes,
    key: Any,
    *,
    algorithms: Iterable[str] | None = None,
    typ: str | None = None,
    limits: Limits | None = None,
) -> VerifyTrace:
    """Verify a compact JWS with ``key`` and return every intermediate value.

    Args:
        token: the compact JWS.
        key: the signer's public key (or HMAC key), a :class:`KeySet` / JWKS dict from which the
            header's ``kid`` picks one, or anything :func:`load_key` accepts.
        algorithms: the ``alg`` values to accept; None means RS*, PS* and ES* (never HS*, never
            ``none``). Name exactly what your partner uses: a list that is empty, or names
            anything but a JWS algorithm above, is refused (``input.allow_list``).
        typ: when given, the header's ``typ`` must be this (e.g. ``"JWT"``; RFC 8725 §3.11).
        limits: the token size cap (:attr:`Limits.max_token_bytes`).

    Raises:
        InputError for arguments of the wrong type or an allow-list naming no JWS algorithm;
        SerializationError, Base64urlError, HeaderError, AlgorithmError, InvalidKeyError for a
        token or key that cannot be checked; SignatureError when the signature does not verify.
    """
    allowed, limits = _verification_arguments(algorithms, typ, limits)
    trace = _start_verify_trace()
    text, first, second = _split(token, limits)
    encoded_header = text[:first]
    trace.add("encoded_header", encoded_header, "the first part", f"{_VERIFY_RFC} step 1")
    header = _parse_header(encoded_header, trace)
    trace.header = header
    algorithm = signature_algorithm(header.get("alg"))
    _check_allowed(algorithm, allowed)
    check_typ(header, typ)
    verifier = select_key(as_key(key), header, algorithm)
    check_key(algorithm, verifier, "verify")
    # Each part is decoded where it lies in the token, and the signing input is the token's
    # text up to the second '.' (no copy of the payload's text first).
    payload = b64url_decode_slice(text, first + 1, second, part="the JWS payload")
    signature = b64url_decode_slice(text, second + 1, len(text), part="the JWS signature")
    trace._log.extend((
        ("payload", payload, "the JWS Payload, decoded (not yet trusted)", f"{_VERIFY_RFC} step 6",
         {"inputs": ("encoded_payload",), "operation": "BASE64URL-DECODE"}),
        ("signature", signature, _signature_meaning(algorithm), f"{_VERIFY_RFC} step 7",
         {"inputs": ("encoded_signature",), "operation": "BASE64URL-DECODE"}),
    ))  # fmt: skip
    _check_signature_length(algorithm, verifier, signature)
    # The signing input is the token's ASCII up to the second '.': a view of the bytes given
    # (or of the text, encoded once), not a slice copied out and then encoded; the step's own
    # copy is made only if someone reads it.
    signing_input = memoryview(token if type(token) is bytes else text.encode("ascii"))[:second]
    trace._log.append((
        "signing_input", Deferred(signing_input.tobytes, second),
        "the JWS Signing Input, rebuilt from the parts as received", f"{_VERIFY_RFC} step 8",
        {"inputs": ("encoded_header", "encoded_payload"), "operation": "ASCII(h '.' p)"},
    ))  # fmt: skip
    if not _signature_holds(algorithm, verifier, signing_input, signature):
        raise SignatureError(
            "the JWS signature does not verify",
            code="jws.signature_invalid",
            expected=f"a valid {algorithm.name} signature by the key "
            + (brief(verifier.kid, 64) if verifier.kid else "(no kid)"),
            found="a signature that key did not make over these bytes",
            hint="A wrong key, or a header, payload or signature altered on the way.",
        )
    trace.add(
        "signature_valid",
        True,
        "the signature verifies: the payload is what the key holder signed",
        f"{_VERIFY_RFC} step 8",
        inputs=("signing_input", "signature"),
        operation=f"{algorithm.name} verify",
    )
    trace.payload = payload
    return trace


__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHMS",
    "SignTrace",
    "SignatureAlgorithm",
    "VerifyTrace",
    "generate_signing_key",
    "read_unverified",
    "sign",
    "signature_algorithm",
    "verify",
]
