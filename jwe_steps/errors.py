"""Errors raised for bad input, each naming the JWE stage where it failed.

Every error that :func:`jwe_steps.decrypt` raises for a bad token is a :class:`JWEError`.
Messages say what was expected, what was found, and what to do about it. They never contain
plaintext, a CEK, or private key material: only lengths, names and public structure.

Every error also carries a stable dotted :attr:`JWEError.code` (``base64url.padding``,
``header.duplicate_member``, ``tag.mismatch``...), chosen where it is raised from the one
registry :data:`CODES`. Messages may be reworded freely; code that reacts to an error (the
practice server, the diagnosis, the tests) reads the code, never the words.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

# Every code an error or a diagnosis finding can carry, with its one-line meaning. Grouped by
# family; the part before the first dot names the family, not always the Stage. Add a code
# here before raising it: JWEError refuses a code that is not listed.
_CODES: dict[str, str] = {
    # -- input: arguments to encrypt()/decrypt() themselves
    "input.invalid": "an argument has the wrong type or value",
    "input.type": "an argument is not of the type required (bytes, str, dict...)",
    "input.engine": "engine names neither 'cryptography' nor 'from_scratch'",
    "input.serialization": "serialization names none of 'compact', 'flattened', 'general'",
    "input.plaintext": "the plaintext (or a JWS payload) is neither bytes nor str, or a str "
    "that is not Unicode text (a lone surrogate)",
    "input.header": "a header argument is not a dict of JSON-representable members",
    "input.header_conflict": "a header argument disagrees with alg/enc, or sets what alg computes",
    "input.recipients": "the recipients (key=/alg= or recipients=) are missing or malformed",
    "input.compact_headers": "the compact serialization carries only the protected header",
    "input.cek": "a fixed cek is not bytes, or alg determines the CEK itself",
    "input.allow_list": "the allow-list names an unregistered alg/enc, or no alg or no enc at all "
    "(for a JWS: is empty or names anything but a JWS algorithm; never none)",
    "input.oaep_seed": "a fixed OAEP seed has the wrong length, type or engine, or no RSA-OAEP",
    "input.oaep_hash": "the OAEP hash is not one RSA-OAEP defines",
    "input.key_bits": "a key length in bits is not a positive multiple of 8",
    "input.too_long": "a message is longer than the primitive allows",
    "input.p2c": "encrypt() was given a PBES2 p2c below the minimum of RFC 7518 §4.8.1.2 or "
    "above the 10 000 000 it runs",
    "input.p2s": "encrypt() was given a PBES2 p2s shorter than 8 bytes",
    # -- limits: size and work caps, checked before the work
    "limits.exceeded": "input is larger than a configured limit",
    "limits.token_size": "the token is larger than Limits.max_token_bytes",
    "limits.p2c": "a PBES2 p2c (or the recipients' sum) is over Limits.max_p2c",
    "limits.recipients": "a general JSON token lists more than Limits.max_recipients",
    "limits.decompressed_size": "zip content inflates past Limits.max_decompressed_bytes",
    # -- format: the serialization's shape (RFC 7516 §7)
    "format.invalid": "the token does not have the shape of a JWE serialization",
    "format.segments": "a compact JWE has five dot-separated parts; this one has another count",
    "format.whitespace": "the token contains whitespace (often a trailing newline)",
    "format.not_ascii": "the token contains characters outside ASCII",
    "format.json_serialization": "a JSON serialization where the compact one was required",
    "format.empty_header": "the protected header part is empty",
    "format.empty": "the input is empty: there is no token at all",
    "format.not_utf8": "the token given as bytes is not UTF-8 text",
    "format.type": "the token is neither a str, bytes nor a dict",
    "format.json_not_object": "a JSON-serialized token is not a JSON object",
    "format.json_member_missing": "a JSON serialization lacks a required member, or has it null",
    "format.json_member_type": "a JSON serialization member has the wrong JSON type",
    "format.json_top_level_member": "a general JSON token has 'header' at the top level",
    "format.json_recipients": "'recipients' is not a non-empty array of JSON objects",
    "format.flattened_recipients": "the flattened JSON serialization has exactly one recipient",
    "format.quoted": "the token is wrapped in JSON string quotes",
    "format.ignored_member": "a JSON serialization member the recipient does not use was ignored",
    # -- base64url: one part's encoding (RFC 7515 §2, RFC 4648 §5)
    "base64url.invalid": "a part is not strict base64url",
    "base64url.padding": "a part carries '=' padding, which base64url in JOSE omits",
    "base64url.alphabet": "a part uses the standard base64 alphabet ('+', '/')",
    "base64url.length": "a part's length is impossible for base64 (4n+1 characters)",
    "base64url.noncanonical": "a part's last character has non-zero unused bits",
    "base64url.character": "a part has a character outside the base64url alphabet",
    "base64url.type": "a value to decode is not a str",
    # -- header: the JOSE header (RFC 7516 §4)
    "header.invalid": "the JOSE header cannot be used",
    "header.utf8": "the protected header is not UTF-8",
    "header.json": "the protected header is not a JSON object",
    "header.duplicate_member": "a header repeats a member name",
    "header.too_many_members": "a header has more than MAX_HEADER_MEMBERS (1000) members",
    "header.not_disjoint": "a member is in more than one of the protected and unprotected headers",
    "header.missing_member": "a required header member (alg, enc) is missing",
    "header.member_type": "a header member has the wrong JSON type",
    "header.crit": "the crit member is malformed or names an extension not understood",
    "header.zip": "the zip member names an unsupported compression",
    "header.unsupported_alg": "alg names no key management algorithm of RFC 7518",
    "header.unsupported_enc": "enc names no content encryption algorithm of RFC 7518",
    # -- json: strict JSON outside the protected header (JSON serialization, JWK, JWKS)
    "json.invalid": "the text is not valid JSON",
    "json.duplicate_member": "a JSON object repeats a member name",
    "json.number": "a number that JSON cannot carry (NaN, Infinity, or one that overflows)",
    "json.surrogate": "a string holds a lone UTF-16 surrogate, which is not a character",
    "json.depth": "the JSON nests too deeply to read",
    "header.param_missing": "a header parameter the alg needs (iv, tag, p2s...) is missing",
    "header.param_base64url": "an alg's base64url header parameter is not strict base64url",
    "header.param_length": "an alg's header parameter (iv, tag) has the wrong decoded length",
    "header.p2c": "the PBES2 p2c header parameter is not a positive integer",
    "header.p2s": "the PBES2 p2s header parameter is shorter than 8 bytes",
    "header.epk_missing": "the ECDH-ES epk header parameter is missing or not a JSON object",
    "header.epk_private": "the epk header parameter carries a private key ('d')",
    "header.epk_curve": "the epk is not on the recipient key's curve",
    "header.epk_invalid": "the epk is not a valid public key (or a low-order point)",
    "header.epk_string": "epk is a JSON string holding the JWK, not a JSON object",
    # -- algorithm: alg/enc known but refused
    "algorithm.not_allowed": "alg or enc is not in the allow-list",
    "algorithm.family": "a name given to one algorithm family's function is of another",
    # -- key: loading a key, its type, size, JWK alg/use/key_ops, kid selection
    "key.invalid": "the key cannot be loaded or cannot serve this token",
    "key.kid_unknown": "no key in the key set has the token's kid",
    "key.type": "the key's type does not fit the algorithm",
    "key.size": "the key's size does not fit the algorithm",
    "key.curve": "a fixed ephemeral key is not on the recipient key's curve",
    "key.not_private": "decrypting needs the private key; a public key was given",
    "key.password_empty": "PBES2 was given an empty password",
    "key.alg_binding": "the JWK's 'alg' binds the key to another algorithm",
    "key.use": "the JWK's 'use' is not 'enc'",
    "key.key_ops": "the JWK's 'key_ops' do not permit this operation",
    "key.no_recipient": "no recipient of a general JSON token fits this key",
    "key.mismatch": "the token was made for a different key",
    "kid.mismatch": "the token's kid names a key other than the one given",
    "key.kid_required": "the key set has several keys and nothing says which one to use",
    "key.too_many": "a JWKS holds more entries than MAX_KEY_SET_ENTRIES",
    "key.duplicate_kid": "two keys in a key set have the same kid, and neither kty nor use tells "
    "them apart",
    "key.kid_skipped": "the key set's key with the token's kid was skipped when the set was "
    "loaded (the error names that entry's own code)",
    "key.member": "a JWK member has the wrong type or an impossible value",
    "key.rsa_modulus": "the RSA modulus is even, too small or too large to be used, or (for a "
    "private key without CRT members) a prime or a power of one",
    "key.rsa_exponent": "the RSA public exponent cannot be used",
    "key.okp_mismatch": "an OKP JWK's d does not belong to its x",
    "key.okp_low_order": "an X25519/X448 public key is a point of small order (RFC 7748 §6)",
    "key.certificate": "the PEM looks like an X.509 certificate but could not be read",
    "key.x5c": "a JWK's x5c is not an array of base64 DER X.509 certificates, or sits on a "
    "symmetric key",
    "key.x5c_mismatch": "a JWK's first x5c certificate holds another key, or its x5t/x5t#S256 "
    "is not that certificate's thumbprint",
    "key.format": "the key material is neither PEM, a JWK/JWKS, nor a raw key",
    "key.unsupported": "the key's type or curve cannot be used for JWE",
    "key.member_missing": "a JWK lacks a member its key type requires",
    "key.rsa_public": "the RSA public key (n, e) is rejected",
    "key.rsa_private": "the RSA private members do not fit together or do not match n and e",
    "key.ec_point": (
        "an EC coordinate or d has the wrong length, a coordinate is not below the field "
        "prime, or the point is not on the curve"
    ),
    "key.no_public_half": "a symmetric key has no public half",
    "key.export": "the key cannot be exported in that form (a symmetric key is all secret)",
    # -- key_management: encrypting/decrypting the CEK (§5.1 step 4, §5.2 step 9)
    "key_management.failed": "the CEK could not be encrypted or decrypted with this key",
    "key_management.encrypted_key_length": "the encrypted key's length is impossible for this key",
    "key_management.encrypted_key_not_empty": "dir and ECDH-ES tokens carry an empty encrypted key",
    "oaep.hash_mismatch": "RSA-OAEP with a hash other than the one alg names",
    "oaep.mgf1_sha1": "RSA-OAEP-256 label hash SHA-256 but MGF1 with SHA-1 (a Java default)",
    "oaep.pkcs1v15": "the CEK was encrypted with PKCS #1 v1.5 padding, not OAEP",
    # -- cek, iv, tag: lengths fixed by enc
    "cek.length": "the CEK's length does not fit enc",
    "iv.length": "the IV's length does not fit enc",
    "tag.length": "the authentication tag's length does not fit enc",
    "tag.appended_to_ciphertext": "the tag was left on the end of the ciphertext part",
    # -- aad: what the tag authenticates (§5.1 step 14)
    "aad.missing": "the tag was computed without the protected header as AAD",
    "aad.reserialized_header": "the AAD was a re-serialized header, not the header part as sent",
    # -- content decryption (§5.2 step 16)
    "decryption.failed": "authenticated decryption failed; the cause is not told (RFC 7516 §11.5)",
    "tag.mismatch": "the authentication tag does not verify",
    # -- decompression (zip, §5.2 step 17)
    "decompression.failed": "the content could not be decompressed, or grew past the cap",
    "decompression.invalid": "the decrypted content is not raw DEFLATE data",
    "decompression.truncated": "the DEFLATE stream ends before its final block",
    "decompression.trailing_data": "bytes follow the DEFLATE stream's final block",
    "decompression.framing": "zip DEF content carries a zlib or gzip wrapper, not raw DEFLATE",
    # -- inspect: what a token's lengths imply, found without a key (jwe_steps.inspection)
    "inspect.ciphertext_length": "the ciphertext's length is impossible for enc",
    # -- jws: compact JWS signing and verification (RFC 7515)
    "jws.format": "a compact JWS has three dot-separated parts; this one has another count",
    "jws.header": "the JWS protected header is not a JSON object, or a registered member (kid, "
    "typ, cty, jku, x5u, x5t, x5c, b64) has the wrong JSON type; or, to sign, its alg is not "
    "the alg argument",
    "jws.crit": "the JWS crit member is malformed or names an extension not understood",
    "jws.unencoded_payload": "b64: false (RFC 7797, unencoded payload) is not supported",
    "jws.algorithm_unknown": "alg names no JWS signature algorithm of RFC 7518 §3",
    "jws.algorithm_not_allowed": "the JWS alg is not in the allow-list (none never is)",
    "jws.key_type": "the key's type, curve or size does not fit the JWS alg",
    "jws.key_use": "the key's use, key_ops or alg does not allow this signature operation",
    "jws.kid_unknown": "no verification key has the JWS header's kid",
    "jws.signature_length": "the signature has the wrong length for the alg",
    "jws.signature_invalid": "the signature does not verify with this key",
    "jws.typ": "the JWS header's typ is not the one required (RFC 8725 §3.11)",
    # -- claims: JWT claims checks (RFC 7519 §4.1)
    "claims.invalid": "the JWT claims set is not a JSON object",
    "claims.missing": "a required claim is missing, or null (a claim RFC 7519 does not register)",
    "claims.type": "a claim has the wrong JSON type; for a registered claim, null is one",
    "claims.issuer": "iss is not the expected issuer",
    "claims.audience": "aud does not name this audience",
    "claims.expired": "exp is in the past, beyond the allowed clock skew",
    "claims.not_yet_valid": "nbf is in the future, beyond the allowed clock skew",
    "claims.issued_in_future": "iat is in the future, beyond the allowed clock skew",
    "claims.lifetime": "exp is further after iat than the allowed lifetime",
    # -- nested: JWS inside JWE (RFC 7519 §5.2, §11.2)
    "nested.cty": "the JWE header's cty does not say JWT, so its content is not a nested JWT",
    # -- api: the practice API's own answers (jwe_steps.server), above the JWE/JWS layers
    "api.client_unknown": "X-Client-Id is missing or names no registered client",
    "api.content_type": "the request's Content-Type is not the one the endpoint takes",
    "api.content_length": (
        "the Content-Length header is not one decimal number, is repeated, or comes with "
        "Transfer-Encoding"
    ),
    "api.http": "the request is not well-formed HTTP/1.1 (or is TLS or HTTP/2), so is not read",
    "api.body_size": "the request body is larger than the server's body cap",
    "api.body_timeout": "the request body did not arrive within the read timeout",
    "api.head_too_large": "the request line and headers are longer than the server's head cap",
    "api.disconnect": "the client went away before the request was read",
    "api.not_found": "no endpoint at this path",
    "api.method_not_allowed": "the endpoint exists but not for this HTTP method",
    "api.json": "a JSON body (or decrypted JSON content) is not a JSON object",
    "api.fields": "the request's claims lack a field, or a field has the wrong type or size",
    "api.jwks_missing": 'a registration without {"jwks": {"keys": [enc, sig]}} (or {"jwk"})',
    "api.jwk_private": "a registered JWK carries private members",
    "api.jwk_invalid": "a registered JWK cannot be used for the operation its use/alg names",
    "api.clients_full": "the server holds its documented maximum number of clients",
    "api.zip": "a compressed (zip) request, refused by the signed profile",
    "api.kid_missing": "the request's JWE header has no kid naming a server encryption key",
    "api.key_retired": "the request's kid names a server key retired after its grace period",
    "api.rotation_limit": "too many key rotations within one grace period",
    "api.internal": "the server failed; details are in its log only",
    # -- replay: the practice API's jti cache (RFC 7519 §4.1.7)
    "replay.jti_seen": "a jti this client already used while the token could still be valid",
    "replay.cache_full": (
        "the replay cache holds as many of this client's tokens (or of all clients') as it "
        "can; retry once older tokens have expired"
    ),
    "replay.before_start": "a token issued before this server (re)started, which it cannot check",
}

CODES: Mapping[str, str] = MappingProxyType(_CODES)
"""Every stable error and finding code, with its one-line meaning (read-only)."""


class Stage(StrEnum):
    """The stages of RFC 7516 §5.1/§5.2 that an error can name."""

    INPUT = "input"  # arguments given to encrypt()/decrypt() themselves
    LIMITS = "limits"  # size caps checked before any work is done
    SERIALIZATION = "serialization"  # splitting the token into its parts (§7)
    BASE64URL = "base64url"  # decoding one part (RFC 7515 §2, RFC 4648 §5)
    HEADER = "header"  # the JOSE header: JSON, required members, crit, zip (§4)
    ALGORITHM = "algorithm"  # alg/enc not supported or not allowed
    KEY = "key"  # key loading, key type, JWK alg/use, kid selection
    KEY_MANAGEMENT = "key_management"  # encrypting/decrypting the CEK (§5.1 step 4, §5.2 step 9)
    CEK = "cek"  # the content encryption key's length (§5.2 step 9)
    IV = "iv"  # the initialization vector's length
    TAG = "tag"  # the authentication tag's length
    CONTENT_DECRYPTION = "content_decryption"  # authenticated decryption (§5.2 step 16)
    DECOMPRESSION = "decompression"  # zip (§5.2 step 17)
    SIGNATURE = "signature"  # JWS signing and verification (RFC 7515 §5)
    CLAIMS = "claims"  # JWT claims checks (RFC 7519 §7.2)


class JWEError(Exception):
    """Base of every error jwe_steps raises for bad input.

    Attributes:
        code: a stable dotted code from :data:`CODES`; each subclass has a default.
        stage: the :class:`Stage` (a str) where processing stopped.
        expected: what that stage needed, in words (or None).
        found: what it got instead, in words (or None). Never secret material.
        hint: what to do about it (or None).
    """

    stage: Stage = Stage.INPUT
    code: str = "input.invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        expected: str | None = None,
        found: str | None = None,
        hint: str | None = None,
        stage: Stage | None = None,
    ) -> None:
        if stage is not None:
            self.stage = stage
        if code is not None:
            self.code = code
        if self.code not in CODES:
            raise ValueError(f"error code {self.code!r} is not listed in jwe_steps.errors.CODES")
        self.message = message
        self.expected = expected
        self.found = found
        self.hint = hint
        super().__init__(self._compose())

    def _compose(self) -> str:
        text = f"[{self.stage}] {self.message}"
        facts = [
            f"{label} {value}"
            for label, value in (("expected", self.expected), ("found", self.found))
            if value is not None
        ]
        if facts:
            text += ": " + ", ".join(facts)
        text += "."
        if self.hint:
            text += f" {self.hint}"
        return text

    def to_dict(self) -> dict[str, str | None]:
        """A JSON-ready view of the error (used by the CLI and the practice server)."""
        return {
            "code": self.code,
            "stage": str(self.stage),
            "message": str(self),
            "expected": self.expected,
            "found": self.found,
            "hint": self.hint,
        }


class InputError(JWEError):
    """An argument to encrypt()/decrypt() has the wrong type or value."""

    stage = Stage.INPUT
    code = "input.invalid"


class SizeLimitError(JWEError):
    """Input is larger than a configured limit (see :class:`jwe_steps.Limits`)."""

    stage = Stage.LIMITS
    code = "limits.exceeded"


class SerializationError(JWEError):
    """The token does not have the shape of a JWE serialization."""

    stage = Stage.SERIALIZATION
    code = "format.invalid"


class Base64urlError(JWEError):
    """A part is not strict, unpadded, canonical base64url."""

    stage = Stage.BASE64URL
    code = "base64url.invalid"


class HeaderError(JWEError):
    """The JOSE header is not valid JSON, misses a member, or carries one we must refuse."""

    stage = Stage.HEADER
    code = "header.invalid"


class AlgorithmError(JWEError):
    """``alg`` or ``enc`` is unknown, or not in the allow-list."""

    stage = Stage.ALGORITHM
    code = "algorithm.not_allowed"


class InvalidKeyError(JWEError):
    """The key cannot be loaded, is too weak, or cannot serve this token."""

    stage = Stage.KEY
    code = "key.invalid"


class KeyManagementError(JWEError):
    """The CEK could not be encrypted or decrypted with the given key."""

    stage = Stage.KEY_MANAGEMENT
    code = "key_management.failed"


class CEKLengthError(JWEError):
    """The CEK's length does not fit the content encryption algorithm."""

    stage = Stage.CEK
    code = "cek.length"


class IVLengthError(JWEError):
    """The IV's length does not fit the content encryption algorithm."""

    stage = Stage.IV
    code = "iv.length"


class TagLengthError(JWEError):
    """The authentication tag's length does not fit the content encryption algorithm."""

    stage = Stage.TAG
    code = "tag.length"


class DecryptionFailedError(JWEError):
    """Authenticated decryption failed: the tag did not verify.

    Deliberately uninformative (RFC 7516 §11.5): a wrong key, a wrong CEK, altered ciphertext,
    IV, header or tag all end here. Use :func:`jwe_steps.explain` with your own key to find out
    which.
    """

    stage = Stage.CONTENT_DECRYPTION
    code = "decryption.failed"


class DecompressionError(JWEError):
    """The decrypted content could not be decompressed, or grew past the cap."""

    stage = Stage.DECOMPRESSION
    code = "decompression.failed"


class SignatureError(JWEError):
    """A JWS signature did not verify, or cannot be made or checked with this key and alg.

    Like :class:`DecryptionFailedError`, the failed verification itself says nothing more:
    a wrong key, an altered header, payload or signature all end in ``jws.signature_invalid``.
    """

    stage = Stage.SIGNATURE
    code = "jws.signature_invalid"


class ClaimsError(JWEError):
    """A JWT's claims do not satisfy the checks asked for (issuer, audience, times, ...)."""

    stage = Stage.CLAIMS
    code = "claims.invalid"


__all__ = [
    "CODES",
    "AlgorithmError",
    "Base64urlError",
    "CEKLengthError",
    "ClaimsError",
    "DecompressionError",
    "DecryptionFailedError",
    "HeaderError",
    "IVLengthError",
    "InputError",
    "InvalidKeyError",
    "JWEError",
    "KeyManagementError",
    "SerializationError",
    "SignatureError",
    "SizeLimitError",
    "Stage",
    "TagLengthError",
]
