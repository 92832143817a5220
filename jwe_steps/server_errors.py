"""The practice API's error answers, and the mapping of library errors to them by code.

An answer is ``{"error": {"code", "stage", "message"}}`` with an HTTP status. :func:`answer_for`
chooses it from a :class:`~jwe_steps.errors.JWEError`'s ``code`` (never from its words): the
token's public format keeps its code, anything that depends on the server's key becomes the one
``decryption.failed`` (RFC 7516 §11.5), the inner JWS and its claims are 401s, and claims that
are not strict JSON are 400s with their ``json.*`` code.
"""

from __future__ import annotations

from starlette.responses import JSONResponse

from .errors import CODES, JWEError, Stage

MAX_MESSAGE_CHARS = 400

# The code for every failure that involves the key, the CEK or the tag (RFC 7516 §11.5).
DECRYPTION_FAILED = "decryption.failed"
DECRYPTION_FAILED_MESSAGE = (
    "[content_decryption] the request body did not decrypt: expected a JWE encrypted to a "
    "current key of this server (see /.well-known/jwks.json) with RSA-OAEP-256 and A256GCM, "
    "unaltered. "
    "A wrong key, a wrong OAEP hash and an altered part all end here alike (RFC 7516 §11.5). "
    "Run `jwe-steps explain` on your own token with your own test key to find out which."
)


class ApiError(Exception):
    """An error answer: HTTP status plus the ``{"error": {code, stage, message}}`` body."""

    def __init__(self, status: int, code: str, stage: str, message: str) -> None:
        if code not in CODES:
            raise ValueError(f"error code {code!r} is not listed in jwe_steps.errors.CODES")
        super().__init__(message)
        self.status = status
        self.code = code
        self.stage = stage
        self.message = message[:MAX_MESSAGE_CHARS]

    def to_dict(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "stage": self.stage, "message": self.message}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.to_dict(), status_code=self.status)


def api_error(status: int, code: str, message: str, stage: str = "input") -> ApiError:
    return ApiError(status, code, stage, f"[{stage}] {message}")


# ---------------------------------------------------------------- errors -> answers, by code

# Families whose errors depend only on what anyone can see in the token, without a key.
_PUBLIC_FAMILIES = frozenset({"limits", "format", "base64url", "header", "algorithm"})
_PUBLIC_CODES = frozenset({"key.kid_unknown", "iv.length", "tag.length", "decompression.failed"})
# Raised only after the JWE decrypted (the inner JWS and its claims): 401 unless malformed.
_AUTHENTICATION_FAMILIES = frozenset({"jws", "claims"})
_MALFORMED_CLAIMS = frozenset({"claims.invalid", "claims.missing", "claims.type"})
# Strict JSON (jwe_steps.strict_json) of what the client wrote: the claims set, read once the
# JWE decrypted, whose ClaimsError keeps the json.* code of what is wrong (a repeated member,
# NaN, a lone surrogate...). Never key-dependent: a 400 like the other malformed claims.
_JSON_FAMILY = "json"


def answer_for(error: JWEError) -> ApiError:
    """The answer for an error raised while reading a request, chosen by ``error.code``.

    Problems with the token's public format keep their code, stage and message: they do not
    depend on the key, so naming them tells an attacker nothing. Everything that does depend
    on the key, the CEK or the tag becomes one ``decryption.failed`` with one fixed message.
    Errors of the inner JWS and its claims (reached only once the JWE decrypted) are 401s
    with their own codes; malformed claims (``claims.invalid``, ``claims.missing``,
    ``claims.type``, and ``json.*`` for claims that are not strict JSON) are 400s.
    """
    code = error.code
    family = code.split(".", 1)[0]
    if family in _PUBLIC_FAMILIES or code in _PUBLIC_CODES:
        status = 413 if code == "limits.token_size" else 400
        return ApiError(status, code, str(error.stage), str(error))
    if family in _AUTHENTICATION_FAMILIES:
        status = 400 if code in _MALFORMED_CLAIMS else 401
        return ApiError(status, code, str(error.stage), str(error))
    if family == "nested":
        return ApiError(400, code, str(error.stage), str(error))
    if family == _JSON_FAMILY:
        return ApiError(400, code, str(error.stage), _json_message(error))
    # key_management.*, cek.length, decryption.failed, tag.mismatch, oaep.*, key.* but the
    # kid, and anything else: one answer, whatever the cause.
    return ApiError(
        400, DECRYPTION_FAILED, str(Stage.CONTENT_DECRYPTION), DECRYPTION_FAILED_MESSAGE
    )


def _json_message(error: JWEError) -> str:
    """What is wrong with the JSON, without what the error found: a member name or a number
    from the decrypted claims is plaintext, which no answer contains."""
    expected = f": expected {error.expected}" if error.expected else ""
    return f"[{error.stage}] {error.message}{expected}."


def classify(error: JWEError) -> tuple[int, str, str, str]:
    """``(status, code, stage, message)`` of :func:`answer_for` (the first version's shape)."""
    answer = answer_for(error)
    return answer.status, answer.code, answer.stage, answer.message


__all__ = ["DECRYPTION_FAILED", "ApiError", "answer_for", "api_error", "classify"]
