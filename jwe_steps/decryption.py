"""Decryption, RFC 7516 §5.2, one function per step group, recorded in a DecryptTrace.

:func:`perform_decrypt` is the conductor:

=========================  =================================================================
``check_token_size``        before anything: the token is within ``Limits.max_token_bytes``
``split_token``             steps 1-2: parse the serialization, base64url-decode each part
``jose_headers``            steps 3-5: the protected header is JSON, each recipient's JOSE
                            header is the disjoint union, and every member is understood
``decrypt_recipient``       steps 6-12 and 14-17 for one recipient
``try_each_recipient``      step 13: the recipients of a general JSON token, in order
=========================  =================================================================

Step 18 (no recipient succeeded: the JWE is invalid) is the error either raises.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from . import algorithms as registry
from . import strict_json
from .aad import compute_aad
from .algorithms import ContentEncryption, Context, KeyManagement
from .allow_list import AllowList, allowed_algorithms, check_allowed
from .cek import check_cek_length
from .deflate import DEFLATE, decompress
from .errors import (
    AlgorithmError,
    CEKLengthError,
    DecryptionFailedError,
    HeaderError,
    InvalidKeyError,
    JWEError,
    KeyManagementError,
    SizeLimitError,
    TagLengthError,
)
from .header import check_header, merge_headers, parse_header
from .iv import check_iv_length
from .keys import recipient_key
from .limits import Limits, given_limits
from .primitives import CRYPTOGRAPHY, STREAMING_FROM, Primitives, primitives_for
from .serialization import ParsedJWE, parse
from .trace import DecryptTrace, Deferred

# Errors that mean "this recipient is not for this key" when a general JSON token lists several.
NOT_THIS_RECIPIENT = (
    AlgorithmError,
    InvalidKeyError,
    HeaderError,
    KeyManagementError,
    CEKLengthError,
)

STREAM_FROM_CHARACTERS = 4 * STREAMING_FROM // 3
"""A compact token's ciphertext part of at least this many characters is decrypted as a stream
(with the default engine): decoded piece by piece straight into the decryptor, so the
ciphertext's bytes never exist whole and decrypting adds about one plaintext of memory."""

IGNORED_MEMBERS_STEP = "ignored_members"
"""The step that records members of a JSON token that were ignored (RFC 7516 §7.2.1)."""


# ---------------------------------------------------------------- before §5.2


def token_size(token: Any) -> int:
    """The token's size in characters (or bytes), as Limits.max_token_bytes counts it."""
    if isinstance(token, str | bytes | bytearray):
        return len(token)
    if isinstance(token, Mapping):
        try:
            return len(json.dumps(token, default=lambda _: ""))
        except (TypeError, ValueError, RecursionError):
            return 0  # not JSON: parse() reports what is wrong with it
    return 0


def check_token_size(token: Any, limits: Limits) -> None:
    """SizeLimitError when the token is over ``limits.max_token_bytes``."""
    size = token_size(token)
    if size > limits.max_token_bytes:
        raise SizeLimitError(
            "the token is larger than the configured limit",
            code="limits.token_size",
            expected=f"at most {limits.max_token_bytes} bytes",
            found=f"{size} bytes",
            hint="Raise Limits(max_token_bytes=...) if such tokens are legitimate.",
        )


# ---------------------------------------------------------------- §5.2 steps 1-5


def split_token(
    token: Any, limits: Limits, trace: DecryptTrace, *, defer_from: int | None = None
) -> tuple[ParsedJWE, bytes]:
    """Steps 1-2: the serialization parsed, each part base64url-decoded, each recorded.

    With ``defer_from`` a large compact ciphertext is left encoded (see
    :func:`jwe_steps.serialization.parse_compact`) and recorded deferred: its bytes are
    decoded only if someone reads ``trace["ciphertext"]``."""
    trace.add(
        "token",
        # A str or bytes as given; a dict as JSON can show it (it may come from any caller).
        token if isinstance(token, str | bytes | bytearray) else strict_json.json_safe(token),
        "the JWE as received",
        "RFC 7516 §7.1"
        if isinstance(token, str) and not token.lstrip().startswith("{")
        else "RFC 7516 §7",
    )
    parsed = parse(token, max_recipients=limits.max_recipients, defer_from=defer_from)
    single = len(parsed.recipients) == 1
    trace.add(
        "encoded_protected_header",
        parsed.encoded_protected_header,
        "the protected header as received: its exact text is the AAD",
        "RFC 7516 §5.2 step 1",
    )
    protected_bytes: bytes = trace.add(
        "protected_header",
        parsed.protected_header,
        "UTF8(JSON) of the protected header, decoded from part 1",
        "RFC 7516 §5.2 step 2",
        inputs=("encoded_protected_header",),
        operation="BASE64URL-DECODE(part 1)",
    )
    if single:
        trace.add(
            "encrypted_key",
            parsed.recipients[0].encrypted_key,
            "the encrypted CEK, from part 2",
            "RFC 7516 §5.2 step 2",
        )
    trace.add("iv", parsed.iv, "the initialization vector, from part 3", "RFC 7516 §5.2 step 2")
    if parsed.deferred is None:
        trace.add(
            "ciphertext",
            parsed.ciphertext,
            "the encrypted content, from part 4",
            "RFC 7516 §5.2 step 2",
        )
    else:
        trace.add_deferred(
            "ciphertext",
            Deferred(parsed.ciphertext_bytes, parsed.ciphertext_length),
            "the encrypted content, from part 4 (decrypted as a stream from the token; "
            "decoded again here because this step was read)",
            "RFC 7516 §5.2 step 2",
        )
    trace.add("tag", parsed.tag, "the authentication tag, from part 5", "RFC 7516 §5.2 step 2")
    if parsed.aad is not None:
        trace.add(
            "jwe_aad", parsed.aad, "the JWE AAD, from the 'aad' member", "RFC 7516 §5.2 step 2"
        )
    if parsed.ignored:
        trace.add(
            IGNORED_MEMBERS_STEP,
            list(parsed.ignored),
            "members this serialization does not use, ignored: "
            + ", ".join(f"top-level '{name}'" for name in parsed.ignored)
            + " beside 'recipients' (go-jose writes a copy of recipient 0's there); "
            "it is not integrity protected, so nothing reads it",
            "RFC 7516 §7.2.1",
            detail={"members": list(parsed.ignored)},
        )
    return parsed, protected_bytes


def jose_headers(
    parsed: ParsedJWE, protected_bytes: bytes, trace: DecryptTrace
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Steps 3-5: the protected header is a JSON object; each recipient's JOSE header is the
    union of the three headers, disjoint; alg/enc present and nothing not understood. Every
    recipient's header is checked, not only the one that will be used."""
    protected = parse_header(protected_bytes) if parsed.encoded_protected_header else {}
    if parsed.unprotected:
        trace.add(
            "unprotected_header",
            parsed.unprotected,
            "the shared unprotected header",
            "RFC 7516 §7.2.1",
        )
    headers = [merge_headers(protected, parsed.unprotected, r.header) for r in parsed.recipients]
    for jose_header in headers:
        check_header(jose_header, protected=protected)
    return protected, headers


# ---------------------------------------------------------------- §5.2 steps 6-12, 14-17


def decrypt_recipient(
    parsed: ParsedJWE,
    index: int,
    jose_header: dict[str, Any],
    key: Any,
    trace: DecryptTrace,
    allowed: AllowList,
    limits: Limits,
    *,
    reveal: bool,
    several: bool,
    primitives: Primitives = CRYPTOGRAPHY,
) -> None:
    """Steps 6-12 and 14-17 for one recipient, recorded into ``trace``."""
    ctx = Context(trace, limits, primitives)
    detail = {"recipient": index} if several else {}
    trace.header = jose_header
    trace.add(
        "header",
        jose_header,
        "the JOSE header: the union of the protected, shared and per-recipient headers"
        if parsed.serialization != "compact"
        else "the JOSE header, parsed from the protected header",
        "RFC 7516 §5.2 step 4",
        detail=detail,
    )
    management, content = algorithms_of(jose_header, allowed, trace, detail)  # step 6
    alg, enc = management.name, content.name
    recipient = recipient_key(key, jose_header, alg, decrypting=True, enc=enc)  # step 7
    if several and recipient.kty not in management.key_types:
        raise InvalidKeyError(
            f"{alg} cannot use this kind of key",
            code="key.type",
            expected=" or ".join(management.key_types),
            found=recipient.kty,
        )
    encrypted_key = parsed.recipients[index].encrypted_key
    if several:
        trace.add(
            "encrypted_key",
            encrypted_key,
            f"recipient {index}'s encrypted CEK",
            "RFC 7516 §5.2 step 2",
            detail=detail,
        )
    cek = recover_cek(management, content, recipient, encrypted_key, jose_header, ctx, reveal)
    check_part_sizes(parsed, content)
    aad = authenticated_data(parsed, trace)  # steps 14-15
    plaintext = decrypt_content(parsed, content, cek, aad, ctx)  # step 16
    inflate_content(jose_header, content, plaintext, limits, trace)  # step 17


def algorithms_of(
    jose_header: Mapping[str, Any],
    allowed: AllowList,
    trace: DecryptTrace,
    detail: dict[str, Any],
) -> tuple[KeyManagement, ContentEncryption]:
    """Step 6: the key management mode of ``alg``; ``alg`` and ``enc`` must be allowed."""
    alg, enc = jose_header["alg"], jose_header["enc"]
    management = registry.key_management(alg)
    content = registry.content_encryption(enc)
    check_allowed("alg", alg, allowed[0])
    check_allowed("enc", enc, allowed[1])
    trace.add(
        "key_management_mode",
        management.mode.value,
        f"{alg} uses {management.mode.value}: {management.description}",
        "RFC 7516 §5.2 step 6",
        detail=detail,
    )
    return management, content


def recover_cek(
    management: KeyManagement,
    content: ContentEncryption,
    key: Any,
    encrypted_key: bytes,
    jose_header: dict[str, Any],
    ctx: Context,
    reveal: bool,
) -> bytes:
    """Steps 8-12: the CEK, agreed, decrypted or taken.

    Without ``reveal`` a CEK that cannot be recovered is replaced by a random one (RFC 7516
    §11.5), so a wrong key and an altered token fail alike, at the tag. Both paths do the same
    work: the random CEK is drawn whether it is needed or not, and the failure is a value, not
    an exception (benchmarks/bench_timing.py measures what difference is left).
    """
    if reveal:
        cek = management.unwrap(key, encrypted_key, content, jose_header, ctx)
        check_cek_length(cek, content)
    else:
        fallback = os.urandom(content.key_size)
        recovered = management.try_unwrap(key, encrypted_key, content, jose_header, ctx)
        fits = recovered is not None and len(recovered) == content.key_size
        cek = recovered if fits and recovered is not None else fallback
    alg = management.name
    if not management.generates_cek:
        section = "RFC 7516 §5.2 step 9"
    elif management.mode is registry.Mode.DIRECT_KEY_AGREEMENT:
        section = "RFC 7516 §5.2 step 8"
    else:
        section = "RFC 7516 §5.2 steps 10-11"
    ctx.trace.add(
        "cek",
        cek,
        f"the content encryption key, recovered with {alg}",
        section,
        inputs=("encrypted_key",),
        operation=f"{alg}-Decrypt(private key, encrypted_key)",
    )
    return cek


def check_part_sizes(parsed: ParsedJWE, content: ContentEncryption) -> None:
    """The IV and the tag must have the sizes ``enc`` uses."""
    check_iv_length(parsed.iv, content)
    if len(parsed.tag) != content.tag_size:
        if not parsed.tag:
            hint = "An empty tag part often means the tag was appended to the ciphertext."
        elif len(parsed.tag) < content.tag_size:
            hint = (
                "A shorter tag is often a truncated one (some libraries allow 12-byte GCM tags; "
                "JWE uses the full 16 bytes, RFC 7518 §5.3)."
                if content.name.endswith("GCM")
                else "A shorter tag is often a truncated one: copy the token's whole last part."
            )
        else:
            hint = "A longer tag part often holds more than the tag: check how the parts are split."
        raise TagLengthError(
            f"the authentication tag does not fit {content.name}",
            code="tag.length",
            expected=f"{content.tag_size} bytes",
            found=f"{len(parsed.tag)} bytes",
            hint=hint,
        )


def authenticated_data(parsed: ParsedJWE, trace: DecryptTrace) -> bytes:
    """Steps 14-15: the AAD from the header exactly as received (and the aad member)."""
    json_aad = parsed.encoded_aad is not None
    aad: bytes = trace.add(
        "aad",
        compute_aad(parsed.encoded_protected_header, parsed.encoded_aad),
        "the additional authenticated data: the received header part as ASCII bytes"
        + (", '.', and the received aad member" if json_aad else ""),
        "RFC 7516 §5.2 step 15",
        inputs=("encoded_protected_header", "jwe_aad")
        if json_aad
        else ("encoded_protected_header",),
        operation="ASCII(encoded_protected_header || '.' || aad)"
        if json_aad
        else "ASCII(encoded_protected_header)",
    )
    return aad


def decrypt_content(
    parsed: ParsedJWE, content: ContentEncryption, cek: bytes, aad: bytes, ctx: Context
) -> bytes:
    """Step 16: authenticated decryption (DecryptionFailedError when the tag fails); a deferred
    ciphertext is decoded piece by piece into a streaming decryptor."""
    if parsed.deferred is None:
        return content.decrypt(cek, parsed.iv, parsed.ciphertext, parsed.tag, aad, ctx)
    return content.decrypt_pieces(
        cek, parsed.iv, parsed.ciphertext_pieces(), parsed.ciphertext_length,
        parsed.ciphertext_bytes, parsed.tag, aad, ctx,
    )  # fmt: skip


def inflate_content(
    jose_header: Mapping[str, Any],
    content: ContentEncryption,
    output: bytes,
    limits: Limits,
    trace: DecryptTrace,
) -> None:
    """Step 16's result recorded, and step 17: inflated when ``zip`` says so, never past the
    cap. Sets ``trace.plaintext``."""
    enc = content.name
    operation = f"{enc}-Decrypt(CEK, IV, ciphertext, AAD, tag)"
    inputs = ("cek", "iv", "ciphertext", "tag", "aad")
    if jose_header.get("zip") != DEFLATE:
        trace.plaintext = trace.add(
            "plaintext",
            output,
            f"the content, decrypted and authenticated with {enc}",
            "RFC 7516 §5.2 step 16",
            inputs=inputs,
            operation=operation,
        )
        return
    trace.add(
        "compressed_plaintext",
        output,
        f"the content, decrypted and authenticated with {enc}; still DEFLATE-compressed",
        "RFC 7516 §5.2 step 16",
        inputs=inputs,
        operation=operation,
    )
    trace.plaintext = trace.add(
        "plaintext",
        decompress(output, limits.max_decompressed_bytes),
        "the content, inflated from raw DEFLATE (zip 'DEF')",
        "RFC 7516 §5.2 step 17",
        inputs=("compressed_plaintext",),
        operation="INFLATE(compressed_plaintext)",
    )


# ---------------------------------------------------------------- §5.2 step 13


def check_pbes2_work(headers: list[dict[str, Any]], limits: Limits) -> None:
    """PBKDF2 work adds up across recipients: one token may not ask for more in total than a
    single recipient may (Limits.max_p2c)."""
    work = 0
    for index, jose_header in enumerate(headers):
        management = registry.KEY_MANAGEMENT.get(str(jose_header.get("alg")))
        p2c = jose_header.get("p2c")
        if management is None or management.family != "pbes2" or not isinstance(p2c, int):
            continue
        work += max(p2c, 0)
        if work > limits.max_p2c:
            raise HeaderError(
                "the recipients' PBES2 iteration counts add up to more than the cap",
                code="limits.p2c",
                expected=f"at most {limits.max_p2c} iterations in all (Limits.max_p2c)",
                found=f"more, by recipient {index}",
                hint="Raise Limits(max_p2c=...) if this sender is trusted.",
            )


def try_each_recipient(
    parsed: ParsedJWE,
    headers: list[dict[str, Any]],
    key: Any,
    trace: DecryptTrace,
    allowed: AllowList,
    limits: Limits,
    *,
    reveal: bool,
    primitives: Primitives,
) -> None:
    """Step 13 (and 18): the first recipient this key opens, of several.

    Recipients whose ``alg`` is not allowed or whose key does not fit are skipped; a tag
    failure is kept and raised only if no other recipient succeeds.
    """
    check_pbes2_work(headers, limits)
    skipped: list[JWEError] = []
    failure: tuple[DecryptionFailedError, DecryptTrace] | None = None
    for index, jose_header in enumerate(headers):
        attempt = DecryptTrace()
        try:
            decrypt_recipient(
                parsed, index, jose_header, key, attempt, allowed, limits,
                reveal=reveal, several=True, primitives=primitives,
            )  # fmt: skip
        except DecryptionFailedError as error:
            failure = failure or (error, attempt)
            continue
        except NOT_THIS_RECIPIENT as error:
            skipped.append(error)
            continue
        trace.steps.extend(attempt.steps)
        trace.header, trace.plaintext = attempt.header, attempt.plaintext
        return
    if failure is not None:
        trace.steps.extend(failure[1].steps)
        raise failure[0]
    raise InvalidKeyError(
        "no recipient of this token can be decrypted with this key",
        code="key.no_recipient",
        expected="a recipient whose alg is allowed and fits the key",
        found="; ".join(f"recipient {i}: [{e.stage}] {e.message}" for i, e in enumerate(skipped))[
            :400
        ],
    )


# ---------------------------------------------------------------- the conductor


def perform_decrypt(
    token: Any,
    key: Any,
    trace: DecryptTrace,
    *,
    algorithms: Any = None,
    limits: Limits | None = None,
    reveal: bool,
    engine: str = "cryptography",
) -> None:
    """The §5.2 steps, recorded into ``trace`` as they happen.

    With ``reveal=False`` (decrypt) a CEK that cannot be recovered is replaced by a random one
    (RFC 7516 §11.5). With ``reveal=True`` (explain, for your own keys only) the real failure
    is raised at the stage where it happens, and ``trace`` holds every step before it.
    """
    limits = given_limits(limits)
    primitives = primitives_for(engine)  # an unknown engine is refused before any work
    allowed = allowed_algorithms(algorithms)
    check_token_size(token, limits)
    defer_from = STREAM_FROM_CHARACTERS if primitives is CRYPTOGRAPHY else None
    parsed, protected_bytes = split_token(token, limits, trace, defer_from=defer_from)  # 1-2
    _, headers = jose_headers(parsed, protected_bytes, trace)  # steps 3-5
    if len(parsed.recipients) == 1:
        decrypt_recipient(
            parsed, 0, headers[0], key, trace, allowed, limits,
            reveal=reveal, several=False, primitives=primitives,
        )  # fmt: skip
        return
    try_each_recipient(
        parsed, headers, key, trace, allowed, limits, reveal=reveal, primitives=primitives
    )  # step 13


__all__ = [
    "IGNORED_MEMBERS_STEP",
    "NOT_THIS_RECIPIENT",
    "decrypt_recipient",
    "perform_decrypt",
    "try_each_recipient",
]
