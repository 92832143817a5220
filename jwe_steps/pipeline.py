"""encrypt() and decrypt(): the steps of RFC 7516 §5.1 and §5.2, in order, recorded in a Trace.

Each stage lives in its own module (header, cek, iv, aad, algorithms/*, serialization); this
module only calls them in the RFC's order and records what each produced.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from . import algorithms as registry
from .aad import compute_aad
from .algorithms import Context, ContentEncryption, KeyManagement
from .b64 import b64url_encode
from .cek import check_cek_length, generate_cek
from .errors import (
    AlgorithmError,
    CEKLengthError,
    InputError,
    InvalidKeyError,
    KeyManagementError,
    SizeLimitError,
    TagLengthError,
)
from .header import build_header, check_header, parse_header, serialize_header
from .iv import check_iv_length, generate_iv
from .keys import Key, KeySet, load_key, load_key_set
from .limits import DEFAULT_LIMITS, Limits
from .serialization import parse, serialize_compact
from .trace import DecryptTrace, EncryptTrace

ENCRYPT_OPERATIONS = frozenset({"encrypt", "wrapKey", "deriveKey", "deriveBits"})
DECRYPT_OPERATIONS = frozenset({"decrypt", "unwrapKey", "deriveKey", "deriveBits"})


def _as_bytes(plaintext: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(plaintext, str):
        return plaintext.encode("utf-8")
    if isinstance(plaintext, bytes | bytearray | memoryview):
        return bytes(plaintext)
    raise InputError(
        "the plaintext has an unsupported type",
        expected="bytes or str (encoded as UTF-8)",
        found=type(plaintext).__name__,
        hint="Serialize objects first, e.g. json.dumps(obj).",
    )


def check_key_allows(key: Key, alg: str, *, decrypting: bool) -> None:
    """A JWK's own ``alg``, ``use`` and ``key_ops``, when present, must fit this operation."""
    if key.alg is not None and key.alg != alg:
        raise InvalidKeyError(
            "the key is bound to another algorithm by its JWK 'alg'",
            expected=f"a token with alg {key.alg!r}",
            found=f"alg {alg!r}",
            hint="Use the key made for this algorithm, or ask the sender which alg they used.",
        )
    if key.use is not None and key.use != "enc":
        raise InvalidKeyError(
            "the key is not for encryption",
            expected="JWK 'use' of 'enc'",
            found=f"use {key.use!r}",
            hint="A signing key ('sig') must not be used to encrypt or decrypt.",
        )
    if key.key_ops is not None:
        allowed = DECRYPT_OPERATIONS if decrypting else ENCRYPT_OPERATIONS
        if not allowed.intersection(key.key_ops):
            raise InvalidKeyError(
                "the key's 'key_ops' do not permit this operation",
                expected="one of " + ", ".join(sorted(allowed)),
                found=", ".join(map(str, key.key_ops)) or "none",
            )


def resolve_key(material: Any, header: Mapping[str, Any]) -> Key:
    """One key: ``material`` itself, or the member of a key set that the header's kid names."""
    if isinstance(material, KeySet) or (isinstance(material, Mapping) and "keys" in material):
        kid = header.get("kid")
        return load_key_set(material).select(kid if isinstance(kid, str) else None)
    return load_key(material)


# ---------------------------------------------------------------- encryption, RFC 7516 §5.1


def encrypt(
    plaintext: bytes | str,
    key: Any,
    *,
    alg: str,
    enc: str,
    header: Mapping[str, Any] | None = None,
    cek: bytes | None = None,
    iv: bytes | None = None,
) -> EncryptTrace:
    """Encrypt ``plaintext`` to ``key`` and return every intermediate value.

    Args:
        plaintext: bytes, or str (encoded as UTF-8).
        key: the recipient's key: a JWK dict or JSON, PEM, a ``cryptography`` key object, or
            a :class:`Key`. The public key is enough for RSA.
        alg, enc: the key management and content encryption algorithms.
        header: extra protected header members (``kid``, ``cty``, ``typ``, ...). The key's
            ``kid`` is added when the key has one and this does not set it.
        cek, iv: fixed values instead of fresh random ones, to reproduce published examples.
            Never reuse an IV with the same CEK for real data.

    Returns:
        An :class:`EncryptTrace`; ``.token`` is the compact serialization.
    """
    trace = EncryptTrace()
    ctx = Context(trace=trace, limits=DEFAULT_LIMITS)
    message = _as_bytes(plaintext)
    key_management = registry.key_management(alg)
    content = registry.content_encryption(enc)
    recipient = resolve_key(key, header or {})
    check_key_allows(recipient, alg, decrypting=False)
    trace.add("plaintext", message, "the message to protect, as octets", "RFC 7516 §5.1 step 11")

    # Step 1: the key management mode follows from alg.
    trace.add(
        "key_management_mode",
        key_management.mode.value,
        f"{alg} uses {key_management.mode.value}: {key_management.description}",
        "RFC 7516 §5.1 step 1",
    )

    # Step 2: a random CEK, unless key management determines it.
    if key_management.generates_cek:
        if cek is not None:
            raise InputError(
                f"{alg} determines the CEK itself",
                expected="no cek argument",
                found=f"a {len(cek)}-byte cek",
            )
    else:
        if cek is None:
            cek = generate_cek(content)
        elif not isinstance(cek, bytes):
            raise InputError("cek must be bytes", found=type(cek).__name__)
        check_cek_length(cek, content)

    # Steps 3-6: encrypt (or agree, or take directly) the CEK.
    wrapped = key_management.wrap(recipient, cek, content, dict(header or {}), ctx)
    trace.add(
        "cek",
        wrapped.cek,
        f"the content encryption key: {content.key_size} random bytes for {enc}",
        "RFC 7516 §5.1 step 2",
    )
    trace.add(
        "encrypted_key",
        wrapped.encrypted_key,
        f"the CEK encrypted to the recipient with {alg}",
        "RFC 7516 §5.1 step 4",
        inputs=("cek",),
        operation=f"{alg}(recipient public key, CEK)",
    )
    # Step 7.
    encoded_encrypted_key = b64url_encode(wrapped.encrypted_key)

    # Step 9: a fresh IV of the size enc needs.
    if iv is None:
        iv = generate_iv(content)
    elif not isinstance(iv, bytes):
        raise InputError("iv must be bytes", found=type(iv).__name__)
    check_iv_length(iv, content)
    trace.add("iv", iv, f"the initialization vector: {content.iv_size} fresh bytes", "RFC 7516 §5.1 step 9")

    # Step 12: the JOSE header; key management may contribute members (epk, iv, tag, p2s...).
    jose_header = build_header(alg, enc, header, kid=recipient.kid)
    for name, value in wrapped.header_params.items():
        if name in jose_header:
            raise InputError(
                f"header member '{name}' is set by {alg} itself",
                expected=f"no '{name}' in the header argument",
                found=f"'{name}'",
            )
        jose_header[name] = value
    check_header(jose_header, protected=jose_header)
    trace.header = jose_header
    trace.add("header", jose_header, "the JOSE header: every member, as JSON", "RFC 7516 §5.1 step 12")
    protected = trace.add(
        "protected_header",
        serialize_header(jose_header),
        "UTF8(JSON) of the header: these exact bytes are integrity protected",
        "RFC 7516 §5.1 step 12",
        inputs=("header",),
        operation="UTF8(JSON(header))",
    )

    # Step 13.
    encoded_header = trace.add(
        "encoded_protected_header",
        b64url_encode(protected),
        "BASE64URL(UTF8(JWE Protected Header)): the token's first part",
        "RFC 7516 §5.1 step 13",
        inputs=("protected_header",),
        operation="BASE64URL(protected_header)",
    )

    # Step 14.
    aad = trace.add(
        "aad",
        compute_aad(encoded_header),
        "the additional authenticated data: the encoded header as ASCII bytes",
        "RFC 7516 §5.1 step 14",
        inputs=("encoded_protected_header",),
        operation="ASCII(encoded_protected_header)",
    )

    # Step 15.
    ciphertext, tag = content.encrypt(wrapped.cek, iv, message, aad, ctx)
    trace.add(
        "ciphertext",
        ciphertext,
        f"the plaintext encrypted with {enc}",
        "RFC 7516 §5.1 step 15",
        inputs=("cek", "iv", "plaintext", "aad"),
        operation=f"{enc}-Encrypt(CEK, IV, plaintext, AAD)",
    )
    trace.add(
        "tag",
        tag,
        f"the {8 * content.tag_size}-bit authentication tag over AAD and ciphertext",
        "RFC 7516 §5.1 step 15",
        inputs=("cek", "iv", "aad", "ciphertext"),
        operation=f"{enc} authentication tag",
    )

    # Steps 16-19: encode and assemble.
    token = serialize_compact(
        encoded_header, encoded_encrypted_key, b64url_encode(iv), b64url_encode(ciphertext), b64url_encode(tag)
    )
    trace.token = trace.add(
        "token",
        token,
        "the compact serialization: header.encrypted_key.iv.ciphertext.tag",
        "RFC 7516 §5.1 step 19, §7.1",
    )
    return trace


# ---------------------------------------------------------------- decryption, RFC 7516 §5.2


def _allowed(algorithms_arg: Iterable[str] | None) -> tuple[frozenset[str], frozenset[str]]:
    """Split an allow-list into allowed ``alg`` and ``enc`` names.

    A list that names no ``enc`` at all leaves ``enc`` at the default set (and likewise for
    ``alg``), so ``algorithms=["RSA-OAEP-256"]`` means "only this alg".
    """
    defaults = registry.default_algorithms()
    default_algs = defaults & frozenset(registry.KEY_MANAGEMENT)
    default_encs = defaults & frozenset(registry.CONTENT_ENCRYPTION)
    if algorithms_arg is None:
        return default_algs, default_encs
    if isinstance(algorithms_arg, str):
        algorithms_arg = [algorithms_arg]
    names = frozenset(algorithms_arg)
    algs = names & frozenset(registry.KEY_MANAGEMENT)
    encs = names & frozenset(registry.CONTENT_ENCRYPTION)
    unknown = names - algs - encs
    if unknown:
        raise InputError(
            "the allow-list names unknown algorithms",
            expected="registered alg/enc names",
            found=", ".join(sorted(unknown)),
        )
    return (algs or default_algs), (encs or default_encs)


def _check_allowed(kind: str, name: str, allowed: frozenset[str]) -> None:
    if name not in allowed:
        hint = None
        if name == "RSA1_5":
            hint = "RSA1_5 is refused by default (padding-oracle attacks); allow-list it explicitly."
        raise AlgorithmError(
            f"'{kind}' {name!r} is not allowed",
            expected="one of " + ", ".join(sorted(allowed)),
            found=repr(name),
            hint=hint,
        )


def decrypt(
    token: str | bytes,
    key: Any,
    *,
    algorithms: Iterable[str] | None = None,
    limits: Limits | None = None,
) -> DecryptTrace:
    """Decrypt ``token`` with ``key`` and return every intermediate value.

    Args:
        token: a compact JWE.
        key: the recipient's private key (anything :func:`load_key` accepts), or a key set
            (JWKS dict or :class:`KeySet`) from which the token's ``kid`` picks the key.
        algorithms: the ``alg``/``enc`` values to accept; None means the safe default set
            (everything registered except RSA1_5).
        limits: size caps; see :class:`Limits`.

    Raises:
        JWEError: for any bad input; ``.stage`` names where. A CEK that fails to decrypt is
            replaced by a random one (RFC 7516 §11.5), so a wrong key and an altered token fail
            alike, at the tag. Use :func:`jwe_steps.explain` with your own key to tell them apart.
    """
    trace = DecryptTrace()
    run_decryption(token, key, trace, algorithms=algorithms, limits=limits, reveal=False)
    return trace


def run_decryption(
    token: Any,
    key: Any,
    trace: DecryptTrace,
    *,
    algorithms: Iterable[str] | None = None,
    limits: Limits | None = None,
    reveal: bool,
) -> None:
    """The §5.2 steps, recorded into ``trace`` as they happen.

    With ``reveal=False`` (decrypt) a CEK that cannot be recovered is replaced by a random one
    (RFC 7516 §11.5). With ``reveal=True`` (explain, for your own keys only) the real failure
    is raised at the stage where it happens, and ``trace`` holds every step before it.
    """
    limits = limits or DEFAULT_LIMITS
    ctx = Context(trace=trace, limits=limits)
    allowed_algs, allowed_encs = _allowed(algorithms)
    size = len(token) if isinstance(token, str | bytes | bytearray) else 0
    if size > limits.max_token_bytes:
        raise SizeLimitError(
            "the token is larger than the configured limit",
            expected=f"at most {limits.max_token_bytes} bytes",
            found=f"{size} bytes",
            hint="Raise Limits(max_token_bytes=...) if such tokens are legitimate.",
        )

    # Steps 1-2: split into parts and base64url-decode each.
    trace.add("token", token, "the JWE as received", "RFC 7516 §7.1")
    parsed = parse(token)
    recipient_part = parsed.recipients[0]
    trace.add(
        "encoded_protected_header",
        parsed.encoded_protected_header,
        "the first part as received: its exact text is the AAD",
        "RFC 7516 §5.2 step 1",
    )
    protected = trace.add(
        "protected_header",
        parsed.protected_header,
        "UTF8(JSON) of the protected header, decoded from part 1",
        "RFC 7516 §5.2 step 2",
        inputs=("encoded_protected_header",),
        operation="BASE64URL-DECODE(part 1)",
    )
    encrypted_key = trace.add(
        "encrypted_key", recipient_part.encrypted_key, "the encrypted CEK, from part 2", "RFC 7516 §5.2 step 2"
    )
    iv = trace.add("iv", parsed.iv, "the initialization vector, from part 3", "RFC 7516 §5.2 step 2")
    ciphertext = trace.add(
        "ciphertext", parsed.ciphertext, "the encrypted content, from part 4", "RFC 7516 §5.2 step 2"
    )
    tag = trace.add("tag", parsed.tag, "the authentication tag, from part 5", "RFC 7516 §5.2 step 2")

    # Steps 3-5: the header is valid JSON, carries alg/enc, and nothing we do not understand.
    jose_header = parse_header(protected)
    check_header(jose_header, protected=jose_header)
    trace.header = jose_header
    trace.add("header", jose_header, "the JOSE header, parsed from the protected header", "RFC 7516 §5.2 steps 3-4")

    # Step 6: the algorithms, and whether the caller allows them.
    alg, enc = jose_header["alg"], jose_header["enc"]
    key_management: KeyManagement = registry.key_management(alg)
    content: ContentEncryption = registry.content_encryption(enc)
    _check_allowed("alg", alg, allowed_algs)
    _check_allowed("enc", enc, allowed_encs)
    trace.add(
        "key_management_mode",
        key_management.mode.value,
        f"{alg} uses {key_management.mode.value}: {key_management.description}",
        "RFC 7516 §5.2 step 6",
    )

    # Step 7: a key known to the recipient, allowed for this alg.
    recipient = resolve_key(key, jose_header)
    check_key_allows(recipient, alg, decrypting=True)

    # Steps 8-12: recover the CEK.
    try:
        cek = key_management.unwrap(recipient, encrypted_key, content, jose_header, ctx)
        check_cek_length(cek, content)
    except (KeyManagementError, CEKLengthError):
        if reveal:
            raise
        # RFC 7516 §11.5: carry on with a random CEK so the failure shows up at the tag,
        # indistinguishable from a tampered token.
        cek = os.urandom(content.key_size)
    trace.add(
        "cek",
        cek,
        f"the content encryption key, recovered with {alg}",
        "RFC 7516 §5.2 step 9",
        inputs=("encrypted_key",),
        operation=f"{alg}-Decrypt(private key, encrypted_key)",
    )

    # The IV and tag must have the sizes enc uses.
    check_iv_length(iv, content)
    if len(tag) != content.tag_size:
        raise TagLengthError(
            f"the authentication tag does not fit {enc}",
            expected=f"{content.tag_size} bytes",
            found=f"{len(tag)} bytes",
            hint="An empty tag part often means the tag was appended to the ciphertext.",
        )

    # Steps 14-15: AAD from the header exactly as received.
    aad = trace.add(
        "aad",
        compute_aad(parsed.encoded_protected_header),
        "the additional authenticated data: the received header part as ASCII bytes",
        "RFC 7516 §5.2 step 15",
        inputs=("encoded_protected_header",),
        operation="ASCII(encoded_protected_header)",
    )

    # Step 16: authenticated decryption.
    plaintext = content.decrypt(cek, iv, ciphertext, tag, aad, ctx)
    trace.plaintext = trace.add(
        "plaintext",
        plaintext,
        f"the content, decrypted and authenticated with {enc}",
        "RFC 7516 §5.2 step 16",
        inputs=("cek", "iv", "ciphertext", "tag", "aad"),
        operation=f"{enc}-Decrypt(CEK, IV, ciphertext, AAD, tag)",
    )


__all__ = ["decrypt", "encrypt", "run_decryption"]
