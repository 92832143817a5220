"""The practice API's protocol values: the algorithms, the claims a request carries and
their limits, the body cap, the answer's lifetime; and the checks on a request's own fields
and JSON bodies.

It imports nothing from :mod:`jwe_steps.server`, so the routes there, and
whatever else needs the protocol, share one definition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from . import strict_json
from .errors import InputError, JWEError
from .server_errors import api_error
from .server_state import ENCRYPTION_ALG

ALG = ENCRYPTION_ALG
ENC = "A256GCM"
AUDIENCE = "jwe-steps-practice"
"""The ``aud`` of every request, and the ``iss`` of every answer."""
MAX_LIFETIME = 300
"""A request's ``exp`` may be at most this many seconds after its ``iat``."""
LEEWAY = 30
"""Clock skew allowed on ``iat`` and ``exp``, in seconds."""
ANSWER_LIFETIME = 300
MAX_BODY_BYTES = 64 * 1024
"""The largest request body; also the most that a ``zip`` request may inflate to."""
MAX_PAN_CHARS = 32
MAX_NAME_CHARS = 200
MAX_JTI_CHARS = 128
PAN_PATTERN = re.compile(r"[A-Z]{5}[0-9]{4}[A-Z]")  # AAAAA9999A: 5 letters, 4 digits, 1 letter


def text_field(claims: Mapping[str, Any], name: str, limit: int) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise api_error(
            400,
            "api.fields",
            f"the request lacks a usable {name!r}: expected a string of 1 to {limit} characters.",
        )
    return value


def check_pan_fields(claims: Mapping[str, Any]) -> str:
    pan = claims.get("pan")
    if not isinstance(pan, str) or len(pan) > MAX_PAN_CHARS:
        raise api_error(
            400,
            "api.fields",
            "the request lacks a usable 'pan': expected a string of at most "
            f"{MAX_PAN_CHARS} characters.",
        )
    text_field(claims, "name", MAX_NAME_CHARS)
    return pan


def parse_json_object(body: bytes, what: str) -> dict[str, Any]:
    """``body`` as a JSON object (strictly parsed), or the API error ``api.json``; ``what`` names
    it in the message, which never echoes the body."""
    try:
        value = strict_json.loads(
            body.decode("utf-8"), error=InputError, subject=what, expected="a JSON object"
        )
    except (JWEError, UnicodeDecodeError):
        # The content may be decrypted plaintext: say what is wrong, never echo it.
        raise api_error(400, "api.json", f"{what} is not valid JSON: expected an object.") from None
    if not isinstance(value, dict):
        raise api_error(
            400, "api.json", f"{what} is not a JSON object: found a JSON {type(value).__name__}."
        )
    return value
