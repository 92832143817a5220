"""``load_key`` and ``load_key_set``: any form of key material, read by one unambiguous rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography import x509

from .. import strict_json
from ..errors import InvalidKeyError
from .jwk import _from_jwk
from .key import Key
from .key_set import KeySet, SkippedKey
from .pem import _from_certificate, _from_der, _from_object, _from_pem

MAX_KEY_SET_ENTRIES = 256
"""The most entries a JWKS may hold. Real ones hold a few (a current key and the one before it,
for each use); each entry costs a key's parsing and checks, a private one far more."""


def _parse_json(text: str, *, subject: str = "the key text") -> Any:
    """Strict JSON (no duplicate members, lone surrogates, Infinity), as an InvalidKeyError."""
    return strict_json.loads(
        text,
        error=InvalidKeyError,
        subject=subject,
        expected="a JWK or JWKS in JSON, or a PEM block",
    )


def _json_text(data: bytes) -> str | None:
    """``data`` as text when it looks like a JSON object or array (a JWK or JWKS), else None.

    Looking like JSON means: UTF-8 text whose first and last non-blank characters are ``{ }``
    or ``[ ]``. Random key bytes practically never are (UTF-8 alone rules out all but about
    one 32-byte key in a billion); a password that is would be refused, which is why
    :meth:`Key.password` exists.
    """
    stripped = data.strip(b" \t\r\n")
    if not stripped or (stripped[:1], stripped[-1:]) not in ((b"{", b"}"), (b"[", b"]")):
        return None
    try:
        return stripped.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _from_bytes(data: bytes) -> Key:
    """PEM, else JSON (which must then be a valid JWK), else a raw symmetric key; see
    :func:`load_key`."""
    if b"-----BEGIN" in data:
        return _from_pem(data)
    text = _json_text(data)
    if text is not None:
        return load_key(text)
    if not data:
        raise InvalidKeyError(
            "the key is empty",
            code="key.format",
            expected="PEM, a JWK, or a non-empty raw symmetric key or password",
            found="0 bytes",
        )
    key = _from_der(data)
    return Key("oct", data) if key is None else key


def _key_set_found(keys: Any) -> str:
    """A key set's ``keys`` member in a few words (it may be anything a JSON text holds)."""
    if isinstance(keys, list):
        return f"a JWKS with {len(keys)} key{'' if len(keys) == 1 else 's'}"
    return f"a JWKS whose 'keys' is {strict_json.json_kind(keys)}"


def load_key(material: Any) -> Key:
    """Parse key material once into a reusable :class:`Key`.

    Accepts a :class:`Key`, a JWK dict, JWK JSON text (str), PEM (bytes or str: a private
    key, a public key or an X.509 certificate), a ``cryptography`` key or certificate object,
    or raw bytes.
    RSA keys under 2048 bits (or over :data:`MAX_RSA_BITS`) are refused. For a JWKS use
    :func:`load_key_set`. When you know the form, say so: :meth:`Key.from_jwk`,
    :meth:`Key.from_pem`, :meth:`Key.symmetric`, :meth:`Key.password`.

    Bytes are read by one unambiguous rule, in this order:

    1. bytes that contain ``-----BEGIN`` are PEM;
    2. bytes that look like JSON (UTF-8 text from ``{`` to ``}``, or ``[`` to ``]``) must be
       a valid JWK: if they do not parse, that is an error, never a raw key;
    3. bytes that are a whole DER key or certificate (SubjectPublicKeyInfo, PKCS#1, PKCS#8,
       X.509) are that key: a public key's DER is never a secret;
    4. any other non-empty bytes are a raw symmetric key (``kty "oct"``): an AES key for
       ``dir``/``AxxxKW``/``AxxxGCMKW``, or the password for ``PBES2-*``.

    A random key practically never meets rules 1-3; a password might, so pass passwords
    with :meth:`Key.password` and raw keys with :meth:`Key.symmetric`. A ``str`` is never a
    raw key: it is PEM or JSON.
    """
    if isinstance(material, Key):
        return material
    if isinstance(material, Mapping):
        if "keys" in material:
            raise InvalidKeyError(
                "this is a key set (JWKS), not a single key",
                code="key.format",
                expected="a JWK",
                found=_key_set_found(material.get("keys")),
                hint="Use load_key_set(), or pass the key set to decrypt() to pick by kid.",
            )
        return _from_jwk(material)
    if isinstance(material, bytes | bytearray):
        return _from_bytes(bytes(material))
    if isinstance(material, str):
        if "-----BEGIN" in material:
            return _from_pem(material.encode("ascii", "replace"))
        if not material.lstrip().startswith(("{", "[")):
            raise InvalidKeyError(
                "the key text is neither PEM nor JSON",
                code="key.format",
                expected="a JWK or JWKS in JSON, or a PEM block",
                found=f"{len(material)} characters of something else",
                hint="A str is never a raw key: pass Key.symmetric(b'...') or Key.password('...').",
            )
        parsed = _parse_json(material)
        if not isinstance(parsed, dict):
            raise InvalidKeyError(
                "the key JSON is not an object",
                code="key.format",
                expected="a JWK (a JSON object); for a list of keys use load_key_set()",
                found=f"a JSON {type(parsed).__name__}",
            )
        return load_key(parsed)
    if isinstance(material, x509.Certificate):
        return _from_certificate(material)
    key = _from_object(material)
    if key is not None:
        return key
    raise InvalidKeyError(
        "unsupported key material",
        code="key.format",
        expected="a JWK dict or JSON, PEM, a cryptography key object, or a Key",
        found=type(material).__name__,
    )


def load_key_set(material: Any) -> KeySet:
    """Parse a JWKS (dict or JSON), a single key, or a list of keys into a :class:`KeySet`.

    In a JWKS (``{"keys": [...]}``), an entry that does not load as a key (a ``kty`` or curve
    this library does not use, such as an Ed25519 signing key; a missing member; an RSA key
    under 2048 bits; a value out of range) is skipped, as RFC 7517 §5 asks, and recorded in
    :attr:`KeySet.skipped` with its error code and kid; selecting its kid raises
    ``key.kid_skipped``. A JWKS of which no entry loads raises the first entry's error (its
    code, the message saying the whole set was unusable). What says the document itself is
    broken still refuses it whole: ``keys`` that is not an array, an entry that is not a JSON
    object (``key.format``), a lone surrogate anywhere (``json.surrogate``), two keys that
    nothing tells apart sharing a kid (``key.duplicate_kid``), more than
    :data:`MAX_KEY_SET_ENTRIES` entries (``key.too_many``).

    A single key, or a list of keys given as Python values (each anything :func:`load_key`
    accepts, including a JSON array of JWKs), is loaded strictly: each must load.
    """
    if isinstance(material, KeySet):
        return material
    if isinstance(material, bytes | bytearray) and b"-----BEGIN" not in material:
        # JSON (a JWK or JWKS) in bytes, else raw key bytes (see load_key).
        text = _json_text(bytes(material))
        material = _parse_json(text) if text is not None else bytes(material)
    if isinstance(material, str) and "-----BEGIN" not in material:
        material = _parse_json(material)
    if isinstance(material, Mapping) and "keys" in material:
        return _from_jwks(material["keys"])
    if isinstance(material, list | tuple):
        return KeySet(tuple(load_key(entry) for entry in material))
    return KeySet((load_key(material),))


def _from_jwks(entries: Any) -> KeySet:
    """The keys of a JWKS ``keys`` array, skipping (and recording) the entries that do not
    load (RFC 7517 §5)."""
    if not isinstance(entries, list):
        raise InvalidKeyError(
            "the JWKS 'keys' member is not a list",
            code="key.member",
            expected="an array of JWKs (RFC 7517 §5.1)",
            found=strict_json.json_kind(entries),
        )
    if len(entries) > MAX_KEY_SET_ENTRIES:
        raise InvalidKeyError(
            "the JWKS holds more keys than any key set needs",
            code="key.too_many",
            expected=f"at most {MAX_KEY_SET_ENTRIES} entries in 'keys'",
            found=f"{len(entries)} entries",
        )
    strict_json.check_text(entries, error=InvalidKeyError, subject="the JWKS")
    keys: list[Key] = []
    skipped: list[SkippedKey] = []
    errors: list[InvalidKeyError] = []
    first_error: InvalidKeyError | None = None
    for index, entry in enumerate(entries):
        if isinstance(entry, Key):  # a JWKS built in Python from loaded keys
            keys.append(entry)
            continue
        if not isinstance(entry, Mapping):
            raise InvalidKeyError(
                f"entry {index} of the JWKS 'keys' array is not a JSON object",
                code="key.format",
                expected="an array of JWKs, each a JSON object (RFC 7517 §5.1)",
                found=strict_json.json_kind(entry),
            )
        try:
            keys.append(_from_jwk(entry))
        except InvalidKeyError as error:
            first_error = first_error or error
            skipped.append(_skipped(index, entry, error))
            errors.append(error)
    if entries and not keys:  # nothing usable: the first entry's error, for the whole set
        assert first_error is not None
        others = "; ".join(entry.describe() for entry in skipped[1:4])
        if len(skipped) > 4:
            others += f"; and {len(skipped) - 4} more"
        raise InvalidKeyError(
            f"no key of the JWKS can be used ({len(skipped)} skipped); {skipped[0].label}: "
            + first_error.message,
            code=first_error.code,
            expected=first_error.expected,
            found=first_error.found,
            hint=f"The other entries: {others}." if others else first_error.hint,
        ) from None
    _refuse_hidden_duplicates(keys, skipped, errors)
    return KeySet(tuple(keys), tuple(skipped))


def _refuse_hidden_duplicates(
    keys: list[Key], skipped: list[SkippedKey], errors: list[InvalidKeyError]
) -> None:
    """A skipped entry whose kid, kty and use are a loaded key's is not a key this library
    does not use but a broken twin of one (two such keys are key.duplicate_kid when both
    load): skipping it would let the other be chosen in its place, so the set is refused with
    the entry's own error."""
    for entry, error in zip(skipped, errors, strict=True):
        twin = next(
            (
                key
                for key in keys
                if entry.kid is not None
                and key.kid == entry.kid
                and key.kty == entry.kty
                and (entry.use is None or key.use is None or entry.use == key.use)
            ),
            None,
        )
        if twin is not None:
            raise InvalidKeyError(
                f"{entry.label} of the JWKS cannot be loaded, and another key has its kid, kty "
                f"and use: {error.message}",
                code=error.code,
                expected=error.expected,
                found=error.found,
                hint="Fix or remove the broken key: skipped, it would leave its twin to be "
                "chosen in its place.",
            )


def _skipped(index: int, entry: Mapping[str, Any], error: InvalidKeyError) -> SkippedKey:
    kid, kty, use = entry.get("kid"), entry.get("kty"), entry.get("use")
    return SkippedKey(
        index=index,
        kid=kid if type(kid) is str else None,
        kty=kty if type(kty) is str else None,
        use=use if type(use) is str else None,
        code=error.code,
        reason=str(error).removeprefix(f"[{error.stage}] "),
    )
