"""Sign, then encrypt: a JWT signed with JWS and carried inside a JWE (RFC 7519 §5.2, §11.2).

Encryption keeps the claims secret; only the signature says who wrote them. Partner APIs that
exchange personal data therefore sign the claims with the sender's key, then encrypt the JWS to
the recipient's key, and the recipient checks both layers and the claims themselves
(RFC 8725 §3.3: validate every layer; §3.11: explicit types, ``cty: "JWT"`` outside and
``typ: "JWT"`` inside):

    >>> from jwe_steps import generate_key, jws, nested
    >>> sender, receiver = jws.generate_signing_key("PS256"), generate_key("RSA")   # DEMO keys
    >>> claims = nested.fresh_claims(issuer="me", audience="you", lifetime=300, pan="ABCDE1234F")
    >>> token = nested.sign_then_encrypt(claims, signing_key=sender, signing_alg="PS256",
    ...                                  encryption_key=receiver.public_key()).token
    >>> nested.decrypt_then_verify(token, decryption_key=receiver,
    ...     verification_keys=sender.public_key(), issuer="me", audience="you").claims["pan"]
    'ABCDE1234F'

Replay protection needs state the library does not keep: the receiver remembers each ``jti``
until its ``exp`` has passed (see the practice server).
"""

from __future__ import annotations

import json
import math
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import jws, strict_json
from .display import brief
from .errors import ClaimsError, HeaderError, InputError
from .keys import Key, KeySet
from .limits import Limits
from .pipeline import decrypt, encrypt
from .trace import DecryptTrace, EncryptTrace

DEFAULT_REQUIRED = ("iss", "aud", "iat", "exp", "jti")
DEFAULT_LEEWAY = 30  # seconds of clock skew tolerated either way
DEFAULT_MAX_LIFETIME = 300  # seconds from iat to exp

# What json.dumps(separators=(",", ":"), ensure_ascii=False, allow_nan=False) builds on every
# call; it keeps no state between calls, so one serves them all.
_CLAIMS_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)

# The verification key may depend on who the unverified header and claims say signed them.
KeyResolver = Callable[[Mapping[str, Any], Mapping[str, Any]], Key | KeySet]


@dataclass(frozen=True)
class NestedToken:
    """The result of :func:`sign_then_encrypt`: the token and both layers' traces."""

    token: str
    jws: jws.SignTrace
    jwe: EncryptTrace


@dataclass(frozen=True)
class VerifiedClaims:
    """The result of :func:`decrypt_then_verify`: claims that passed every check, and the traces."""

    claims: dict[str, Any]
    jws: jws.VerifyTrace
    jwe: DecryptTrace

    @property
    def signer_kid(self) -> str | None:
        kid = self.jws.header.get("kid")
        return kid if isinstance(kid, str) else None


def fresh_claims(
    *,
    issuer: str,
    audience: str,
    lifetime: int = DEFAULT_MAX_LIFETIME,
    now: float | None = None,
    **claims: Any,
) -> dict[str, Any]:
    """``claims`` plus ``iss``, ``aud``, ``iat``, ``exp`` (``lifetime`` seconds on) and a random
    128-bit ``jti``: what each new request needs so that it cannot be replayed."""
    issued = int(time.time() if now is None else now)
    return {
        "iss": issuer,
        "aud": audience,
        "iat": issued,
        "exp": issued + lifetime,
        "jti": secrets.token_urlsafe(16),
        **claims,
    }


def sign_then_encrypt(
    claims: Mapping[str, Any],
    *,
    signing_key: Any,
    signing_alg: str,
    encryption_key: Any,
    alg: str = "RSA-OAEP-256",
    enc: str = "A256GCM",
    signing_header: Mapping[str, Any] | None = None,
    encryption_header: Mapping[str, Any] | None = None,
) -> NestedToken:
    """Sign ``claims`` as a JWT (``typ: "JWT"``), then encrypt that JWS (``cty: "JWT"``).

    Raises:
        ClaimsError: ``claims.invalid`` for claims JSON cannot carry (not a dict of str names,
            bytes, NaN, a lone surrogate, runaway nesting); the JWS and JWE layers' errors.
    """
    signing_members = _header_argument(signing_header, "signing_header")
    encryption_members = _header_argument(encryption_header, "encryption_header")
    inner = jws.sign(
        claims_json(claims), signing_key, alg=signing_alg, header={"typ": "JWT", **signing_members}
    )
    outer = encrypt(
        inner.token_bytes, encryption_key, alg=alg, enc=enc,
        header={"cty": "JWT", **encryption_members},
    )  # fmt: skip
    assert isinstance(outer.token, str)  # the compact serialization
    return NestedToken(outer.token, inner, outer)


def _header_argument(header: Any, name: str) -> dict[str, Any]:
    """A header argument's members (none for None), or InputError ``input.header``."""
    if header is None:
        return {}
    if not isinstance(header, Mapping):
        raise InputError(
            f"{name} must be a dict of header members",
            code="input.header",
            expected="a dict, or None",
            found=type(header).__name__,
        )
    return dict(header)


# The largest NumericDate read as a number: float() takes no larger int (about 1.8e308), and
# no date is near it; a larger int is refused rather than an OverflowError.
_LARGEST_DATE = 2**1023
_STR_ONLY = frozenset((str,))  # the one type a claim name may have (checked with a set)


def claims_json(claims: Mapping[str, Any]) -> bytes:
    """UTF8(JSON) of a claims set as sign_then_encrypt signs it (compact, non-ASCII kept), or
    ClaimsError ``claims.invalid`` for claims JSON cannot carry."""
    if type(claims) is not dict:
        if not isinstance(claims, Mapping):
            raise ClaimsError(
                "the JWT claims set is not a JSON object",
                code="claims.invalid",
                expected="a dict of claims (RFC 7519 §4)",
                found=type(claims).__name__,
            )
        claims = dict(claims)
    if not {*map(type, claims)} <= _STR_ONLY:  # json would write 1 as "1" silently
        raise ClaimsError(
            "a claim name is not a str",
            code="claims.invalid",
            expected="str claim names (RFC 7519 §4)",
            found="a name of another type",
        )
    try:
        return _CLAIMS_ENCODER.encode(claims).encode("utf-8")
    except strict_json.WRITE_ERRORS as error:
        raise ClaimsError(
            "the claims cannot be written as JSON",
            code="claims.invalid",
            expected="a dict of str names and JSON values: str (Unicode text), finite numbers, "
            "booleans, null, lists and dicts",
            found=strict_json.unwritable(error),
        ) from None


# RFC 7519 §4.1: the registered claims, each with the JSON type it must have when present.
_TEXT_CLAIMS = ("iss", "sub", "jti")  # StringOrURI, or a string (jti); exp, nbf, iat: NumericDate


def _count(number: int, word: str, plural: str | None = None) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {plural or word + 's'}"


def _shape(value: Any) -> str:
    """What a claim's value is, without the value: claims are plaintext, which no error carries
    (only its JSON type and its size)."""
    if isinstance(value, str):
        return "a string of " + _count(len(value), "character")
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return "an array of " + _count(len(value), "string")
        return "an array of " + _count(len(value), "entry", "entries") + ", not all strings"
    if isinstance(value, dict):
        return "an object of " + _count(len(value), "member")
    if type(value) is int and not -_LARGEST_DATE < value < _LARGEST_DATE:
        return "an integer too large for a date"
    if type(value) is float and not math.isfinite(value):
        return "a number that is not finite"
    return strict_json.json_kind(value)  # null, a boolean, a number


def _seconds(value: float) -> str:
    """A duration for a message; a date far beyond any clock is not spelled out digit by digit."""
    return f"{value:.0f} s" if abs(value) < 1e9 else "more than 10^9 s"


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    """The claim as a number of seconds, None when absent; anything else present (null, a
    boolean, a string, an integer float() cannot take) is ``claims.type``."""
    if name not in claims:
        return None
    value = claims[name]
    if type(value) is int and -_LARGEST_DATE < value < _LARGEST_DATE:
        return float(value)
    if type(value) is float and math.isfinite(value):
        return value
    raise ClaimsError(
        f"the {name!r} claim is not a NumericDate",
        code="claims.type",
        expected="a number of seconds since 1970 (RFC 7519 §2)",
        found=f"{name} is {_shape(value)}",
    )


def _check_types(claims: Mapping[str, Any]) -> tuple[float | None, float | None, float | None]:
    """Every registered claim present has its registered type: null is none of them. Returns
    ``exp``, ``nbf`` and ``iat`` as numbers of seconds (None for one that is absent)."""
    for name in _TEXT_CLAIMS:
        if name in claims and not isinstance(claims[name], str):
            raise ClaimsError(
                f"the {name!r} claim is not a string",
                code="claims.type",
                expected="a JSON string",
                found=f"{name} is {_shape(claims[name])}",
            )
    aud = claims.get("aud")
    if "aud" in claims and not (
        isinstance(aud, str) or (isinstance(aud, list) and all(isinstance(a, str) for a in aud))
    ):
        raise ClaimsError(
            "the 'aud' claim is neither a string nor an array of strings",
            code="claims.type",
            expected="a string or an array of strings (RFC 7519 §4.1.3)",
            found=f"aud is {_shape(aud)}",
        )
    return _numeric_date(claims, "exp"), _numeric_date(claims, "nbf"), _numeric_date(claims, "iat")


def _check_issuer_audience(
    claims: Mapping[str, Any], issuer: str | None, audience: str | None
) -> None:
    """``iss`` and ``aud`` (already of their types) against what the caller expects; what was
    found is described by its size, never shown."""
    iss = claims.get("iss")
    if issuer is not None and iss != issuer:
        raise ClaimsError(
            "the token was issued by someone else",
            code="claims.issuer",
            expected=f"iss {issuer!r}",
            found="no iss"
            if iss is None
            else f"an iss of {_count(len(iss), 'character')} that is another issuer",
        )
    if audience is None:
        return
    aud = claims.get("aud")
    audiences: list[str] = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if audience not in audiences:
        if aud is None:
            found = "no aud"
        elif isinstance(aud, str):
            found = f"an aud of 1 string that is not {audience!r}"
        else:
            found = f"an aud of {_count(len(audiences), 'string')}, none of them {audience!r}"
        raise ClaimsError(
            "the token is addressed to another audience",
            code="claims.audience",
            expected=f"aud containing {audience!r}",
            found=found,
        )


def _check_times(
    dates: tuple[float | None, float | None, float | None],
    now: float,
    leeway: float,
    max_lifetime: float | None,
) -> None:
    """``exp``, ``nbf`` and ``iat`` (as :func:`_check_types` read them) against ``now``."""
    exp, nbf, iat = dates
    if exp is not None and now >= exp + leeway:
        raise ClaimsError(
            "the token has expired",
            code="claims.expired",
            expected=f"now before exp + {leeway:g} s of skew",
            found=f"exp {_seconds(now - exp)} ago",
        )
    if nbf is not None and now + leeway < nbf:
        raise ClaimsError(
            "the token is not valid yet",
            code="claims.not_yet_valid",
            expected=f"nbf at most {leeway:g} s in the future",
            found=f"nbf {_seconds(nbf - now)} from now",
        )
    if iat is not None and iat > now + leeway:
        raise ClaimsError(
            "the token says it was issued in the future",
            code="claims.issued_in_future",
            expected=f"iat at most {leeway:g} s in the future (clock skew)",
            found=f"iat {_seconds(iat - now)} from now",
            hint="Check the sender's clock.",
        )
    if max_lifetime is not None and exp is not None and iat is not None:
        if exp <= iat:  # within the skew both pass the checks above; no sender means that
            raise ClaimsError(
                "the token expires before it was issued",
                code="claims.lifetime",
                expected=f"exp after iat, at most {max_lifetime:g} s after it",
                found="exp at iat" if exp == iat else f"exp {_seconds(iat - exp)} before iat",
            )
        if exp - iat > max_lifetime:
            raise ClaimsError(
                "the token lives longer than allowed",
                code="claims.lifetime",
                expected=f"exp at most {max_lifetime:g} s after iat",
                found=_seconds(exp - iat),
            )


def validate_claims(
    claims: Mapping[str, Any],
    *,
    issuer: str | None = None,
    audience: str | None = None,
    now: float | None = None,
    leeway: float = DEFAULT_LEEWAY,
    max_lifetime: float | None = DEFAULT_MAX_LIFETIME,
    required: Iterable[str] = DEFAULT_REQUIRED,
) -> None:
    """Check a JWT claims set (RFC 7519 §4.1): required members, types, ``iss``, ``aud``, and the
    times ``exp``/``nbf``/``iat`` against ``now`` with ``leeway`` seconds of clock skew.

    A registered claim that is present must have its type, whether required or not: ``iss``,
    ``sub``, ``jti`` a string, ``aud`` a string or an array of strings, ``exp``, ``nbf``,
    ``iat`` a NumericDate (an int or a finite float, not a boolean); null is none of these. A
    required claim given as null is missing. With ``max_lifetime`` (the default), a token with
    both ``exp`` and ``iat`` must expire after it was issued and at most ``max_lifetime``
    seconds later (``claims.lifetime``). Errors describe what was found by its JSON type
    and size, never its value: the claims are plaintext.

    Raises:
        ClaimsError: with a ``claims.*`` code naming the first check that failed.
        InputError: ``input.invalid`` for an argument of the wrong type or value (a leeway that
            is negative or not finite, a ``now`` that is no date, ``required`` given as one
            string): a NaN read from a configuration must not switch expiry off.
    """
    rules, checked_now = _checked_rules(issuer, audience, now, leeway, max_lifetime, required)
    _validate(claims, rules, checked_now)


class _Rules(NamedTuple):
    """validate_claims' arguments but ``now``, checked (a tuple: a frozen dataclass costs three
    times as much to make)."""

    issuer: str | None
    audience: str | None
    leeway: float
    max_lifetime: float | None
    required: tuple[str, ...]


MAX_KEPT_RULES = 64
"""How many distinct claim rules (issuer, audience, leeway, max_lifetime, required) are kept
once checked; a caller's rules rarely change between calls, ``now`` does."""
_kept_rules: dict[tuple[Any, ...], _Rules] = {}
_PLAIN = frozenset((str, int, float, type(None)))  # arguments whose hash and == are the builtins'


def _checked_rules(
    issuer: Any, audience: Any, now: Any, leeway: Any, max_lifetime: Any, required: Any
) -> tuple[_Rules, float | None]:
    """The rules and ``now``, checked. Rules given as plain values (str, int, float, None, a
    tuple of str) that passed once are kept, keyed with their types (``1`` and ``1.0`` stay
    apart), so the usual call checks only ``now``."""
    key = None
    if (
        type(required) is tuple
        and {type(issuer), type(audience), type(leeway), type(max_lifetime), *map(type, required)}
        <= _PLAIN
    ):
        key = (type(issuer), issuer, type(audience), audience, type(leeway), leeway,
               type(max_lifetime), max_lifetime, required)  # fmt: skip
        rules = _kept_rules.get(key)
        if rules is not None:
            return rules, _seconds_argument("now", now, minimum=None, optional=True)
    rules, now = _new_rules(issuer, audience, now, leeway, max_lifetime, required)
    if key is not None:
        if len(_kept_rules) >= MAX_KEPT_RULES:
            _kept_rules.clear()
        _kept_rules[key] = rules
    return rules, now


def _new_rules(
    issuer: Any, audience: Any, now: Any, leeway: Any, max_lifetime: Any, required: Any
) -> tuple[_Rules, float | None]:
    """Every argument checked, in the order their errors are raised."""
    for name, value in (("issuer", issuer), ("audience", audience)):
        if value is not None and not isinstance(value, str):
            raise _argument_error(name, "a str, or None to skip the check", _described(value))
    if required is DEFAULT_REQUIRED:  # the usual call: nothing to check
        names = DEFAULT_REQUIRED
    elif isinstance(required, str | bytes) or not isinstance(required, Iterable):
        expected = "an iterable of claim names, such as a tuple"
        raise _argument_error("required", expected, _described(required))
    else:
        names = tuple(required)
        if not all(isinstance(name, str) for name in names):
            raise _argument_error("required", "claim names as str", "a name of another type")
    checked_now = _seconds_argument("now", now, minimum=None, optional=True)
    rules = _Rules(
        issuer,
        audience,
        _seconds_argument("leeway", leeway, minimum=0, optional=False),
        _seconds_argument("max_lifetime", max_lifetime, minimum=0, optional=True),
        names,
    )
    return rules, checked_now


_NUMBERS = (int, float)  # a tuple: ``int | float`` would be a new union object on every call


def _seconds_argument(name: str, value: Any, *, minimum: float | None, optional: bool) -> Any:
    """A number of seconds given as an argument: finite, and not below ``minimum``."""
    if value is None and optional:
        return None
    if (
        not isinstance(value, _NUMBERS)
        or isinstance(value, bool)
        or not -_LARGEST_DATE < value < _LARGEST_DATE
        or not math.isfinite(value)
    ):
        expected = "a finite number of seconds" + (", or None" if optional else "")
        raise _argument_error(name, expected, _described(value))
    if minimum is not None and value < minimum:
        raise _argument_error(name, f"at least {minimum} seconds", _described(value))
    return value


def _described(value: Any) -> str:
    """An argument's type and a short view of it (arguments are the caller's settings)."""
    return f"{type(value).__name__} {brief(value, 40)}"


def _argument_error(name: str, expected: str, found: str) -> InputError:
    return InputError(
        f"the {name} argument cannot be used to check claims",
        code="input.invalid",
        expected=expected,
        found=found,
    )


def _validate(claims: Any, rules: _Rules, now: float | None) -> None:
    """validate_claims with its arguments checked (``now`` None: the clock's time)."""
    if type(claims) is not dict and not isinstance(claims, Mapping):
        raise ClaimsError(
            "the JWT claims set is not a JSON object",
            code="claims.invalid",
            expected="a dict of claims (RFC 7519 §7.2 step 10)",
            found=strict_json.json_kind(claims),
        )
    required = rules.required
    missing = [name for name in required if name not in claims]
    if missing:
        raise ClaimsError(
            "required claims are missing",
            code="claims.missing",
            expected=", ".join(required),
            found="no " + ", ".join(missing),
        )
    dates = _check_types(claims)
    # A registered claim given as null is claims.type above; any other required claim given
    # as null is no more there than an absent one.
    null = [name for name in required if claims[name] is None]
    if null:
        raise ClaimsError(
            "required claims are null",
            code="claims.missing",
            expected=", ".join(required) + ", each with a value",
            found=", ".join(null) + " null",
        )
    _check_issuer_audience(claims, rules.issuer, rules.audience)
    _check_times(dates, time.time() if now is None else now, rules.leeway, rules.max_lifetime)


# What strict JSON found wrong in the claims, for the codes whose own words quote them.
_JSON_FOUND = {
    "json.duplicate_member": "a member name twice",
    "json.number": "a number JSON cannot carry, or one too large to read",
}


def _claims_of(payload: bytes) -> dict[str, Any]:
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise ClaimsError(
            "the JWT claims set is not UTF-8",
            code="claims.invalid",
            expected="UTF-8 JSON",
            found="invalid UTF-8",
        ) from None
    try:
        claims = strict_json.loads(
            text, error=ClaimsError, subject="the JWT claims set", expected="a JSON object"
        )
    except ClaimsError as error:
        found = _JSON_FOUND.get(error.code, error.found)
        if found == error.found:
            raise
        # A repeated member's name, a number's digits: plaintext, which no error carries.
        raise ClaimsError(
            error.message, code=error.code, expected=error.expected, found=found, hint=error.hint
        ) from None
    if not isinstance(claims, dict):
        raise ClaimsError(
            "the JWT claims set is not a JSON object",
            code="claims.invalid",
            expected="a JSON object (RFC 7519 §7.2 step 10)",
            found=strict_json.json_kind(claims),
        )
    return claims


def _check_cty(header: Mapping[str, Any]) -> None:
    cty = header.get("cty")
    # RFC 7519 §5.2: "JWT" (media types compare case-insensitively; "application/" may be omitted).
    if not isinstance(cty, str) or cty.lower().removeprefix("application/") != "jwt":
        raise HeaderError(
            "the JWE does not say it carries a JWT",
            code="nested.cty",
            expected='"cty": "JWT" (RFC 7519 §5.2)',
            found=f'"cty": {brief(cty, 40)}' if cty is not None else "no cty",
        )


def decrypt_then_verify(
    token: str | bytes,
    *,
    decryption_key: Any,
    verification_keys: Any | KeyResolver,
    issuer: str | None = None,
    audience: str | None,
    now: float | None = None,
    leeway: float = DEFAULT_LEEWAY,
    max_lifetime: float | None = DEFAULT_MAX_LIFETIME,
    required: Iterable[str] = DEFAULT_REQUIRED,
    signing_algorithms: Iterable[str] | None = None,
    encryption_algorithms: Iterable[str] | None = None,
    inner_typ: str | None = "JWT",
    limits: Limits | None = None,
) -> VerifiedClaims:
    """Open a nested JWT: decrypt the JWE, check ``cty``, verify the inner JWS (``typ: "JWT"``),
    then validate its claims (RFC 7519 §7.2).

    ``verification_keys`` is the signer's public key, a key set, or a function of the unverified
    JWS header and claims that returns one (to pick the key registered for the claimed ``iss``;
    nothing is trusted until the signature verifies with it). ``inner_typ`` is the ``typ`` the
    JWS header must carry (RFC 8725 §3.11); None accepts any, as for older tokens.

    ``limits`` caps the outer token and what its content may inflate to, and the inner JWS's
    size (see :class:`jwe_steps.Limits`; None for the defaults).

    Raises:
        InputError: ``input.invalid`` for a setting that cannot check claims (as
            :func:`validate_claims`), before any work is done.
        JWEError subclasses from either layer; ClaimsError (``claims.*``) for the claims.
    """
    rules, checked_now = _checked_rules(issuer, audience, now, leeway, max_lifetime, required)
    outer = decrypt(token, decryption_key, algorithms=encryption_algorithms, limits=limits)
    _check_cty(outer.header)
    keys = verification_keys
    if callable(verification_keys):
        unverified = _unverified(outer.plaintext)
        keys = verification_keys(*unverified)
    inner = jws.verify(
        outer.plaintext, keys, algorithms=signing_algorithms, typ=inner_typ, limits=limits
    )
    claims = _claims_of(inner.payload)
    _validate(claims, rules, checked_now)
    return VerifiedClaims(claims, inner, outer)


def _unverified(compact: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of a JWS before its signature is checked: only to choose a key."""
    header, payload = jws.read_unverified(compact)
    return header, _claims_of(payload)


__all__ = [
    "DEFAULT_LEEWAY",
    "DEFAULT_MAX_LIFETIME",
    "DEFAULT_REQUIRED",
    "NestedToken",
    "VerifiedClaims",
    "claims_json",
    "decrypt_then_verify",
    "fresh_claims",
    "sign_then_encrypt",
    "validate_claims",
]
