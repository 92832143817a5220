"""The CEK, IV and tag lengths enc fixes (RFC 7518 §5.2.2, §5.3), and where the tag went.

A part of the wrong length is read as text (hex, base64) only when its length could be the
text of a value of the right size: a hostile megabyte IV is never decoded.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import string
from dataclasses import dataclass

from .. import algorithms as registry
from ..algorithms import ContentEncryption
from .findings import Finding, Option, finding


@dataclass(frozen=True)
class Sealed:
    """The content as one hypothesis reads it."""

    ciphertext: bytes
    tag: bytes
    truncated_gcm_tag: bool = False


def _ascii_decodings(data: bytes, size: int) -> list[tuple[bytes, str]]:
    """``data`` read as hex or base64 text of ``size`` bytes."""
    if not data or len(data) > 2 * size + 4:  # hex is 2n characters, base64 about 4n/3
        return []
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return []
    results = []
    if len(text) % 2 == 0 and all(c in string.hexdigits for c in text):
        results.append((bytes.fromhex(text), "hex"))
    for alphabet, decoder in (
        ("base64url", base64.urlsafe_b64decode),
        ("base64", base64.b64decode),
    ):
        try:
            results.append((decoder(text + "=" * (-len(text) % 4)), alphabet))
        except (binascii.Error, ValueError):
            continue
    return [(decoded, form) for decoded, form in results if len(decoded) == size]


def cek_options(
    cek: bytes, content: ContentEncryption
) -> tuple[list[Option[tuple[bytes, ContentEncryption]]], list[Finding]]:
    """The CEK as recovered, or as the sender's mistake made it: text, or a key for another enc."""
    if len(cek) == content.key_size:
        return [Option((cek, content))], []
    options: list[Option[tuple[bytes, ContentEncryption]]] = []
    for decoded, form in _ascii_decodings(cek, content.key_size):
        message = (
            f"The recovered CEK is {len(cek)} bytes of {form} text: the sender encrypted the "
            f"{form} form of the {content.key_size}-byte key instead of its bytes."
        )
        fix = (
            "Encrypt the raw CEK bytes, not their text form (Java key.getEncoded(), not a "
            "hex or Base64 string of it; Node the Buffer itself, not buf.toString())."
        )
        options.append(Option((decoded, content), (finding("cek.length", message, fix),)))
    for other in registry.CONTENT_ENCRYPTION.values():
        if other.key_size == len(cek) and other.family == content.family:
            message = (
                f"The CEK is {len(cek)} bytes, a key for {other.name}, while the header says "
                f"{content.name} ({content.key_size} bytes): the sender encrypted with "
                f"{other.name} and wrote {content.name}."
            )
            fix = (
                f"Send enc {other.name!r}, or generate a {content.key_size}-byte CEK for "
                f"{content.name} (Java KeyGenerator.init({8 * content.key_size}))."
            )
            options.append(Option((cek, other), (finding("cek.length", message, fix),)))
    fallback = finding(
        "cek.length",
        f"The recovered CEK is {len(cek)} bytes, but {content.name} needs {content.key_size} "
        f"({8 * content.key_size} bits).",
        f"Generate a fresh {content.key_size}-byte random CEK for {content.name} "
        "(RFC 7516 §5.1 step 2).",
    )
    return options, [fallback]


def iv_options(iv: bytes, content: ContentEncryption) -> tuple[list[Option[bytes]], list[Finding]]:
    """The IV as received when its length fits, else the readings a mistake explains."""
    if len(iv) == content.iv_size:
        return [Option(iv)], []
    options = []
    for decoded, form in _ascii_decodings(iv, content.iv_size):
        message = (
            f"The IV part holds {len(iv)} bytes of {form} text; decoded, it is the "
            f"{content.iv_size}-byte IV the content was encrypted with."
        )
        fix = "Base64url-encode the IV's bytes, not a text form of them."
        options.append(Option(decoded, (finding("iv.length", message, fix),)))
    if content.family == "aes_gcm" and 8 <= len(iv) <= 128:
        message = (
            f"The IV is {len(iv)} bytes; GCM accepts other lengths, but JWE fixes the "
            f"{content.name} IV at {content.iv_size} bytes (RFC 7518 §5.3), so conforming "
            "receivers reject the token."
        )
        fix = (
            f"Generate a {content.iv_size}-byte (96-bit) random IV for {content.name}: Java "
            "new GCMParameterSpec(128, iv) with a 12-byte iv, Node createCipheriv with a "
            "12-byte iv, Go cipher.NewGCM (not NewGCMWithNonceSize)."
        )
        options.append(Option(iv, (finding("iv.length", message, fix),)))
    fallback = finding(
        "iv.length",
        f"The IV is {len(iv)} bytes, but {content.name} uses {content.iv_size} "
        f"({8 * content.iv_size} bits).",
        f"Generate a fresh {content.iv_size}-byte random IV for every token.",
    )
    return options, [fallback]


_SPLIT_FIX = (
    "Split the AEAD output: the last {size} bytes are the tag (part 5), the rest is the "
    "ciphertext (part 4). Java's Cipher.doFinal, Go's gcm.Seal, .NET's AesGcm output and "
    "Python's AESGCM.encrypt all return ciphertext||tag in one array; Node gives the tag "
    "separately (cipher.getAuthTag())."
)


def _appended(ciphertext: bytes, tag: bytes, content: ContentEncryption) -> list[Option[Sealed]]:
    """The readings where the AEAD's ciphertext||tag went into the ciphertext part."""
    size = content.tag_size
    fix = _SPLIT_FIX.format(size=size)
    if (
        len(tag) == size
        and len(ciphertext) >= size
        and hmac.compare_digest(ciphertext[-size:], tag)
    ):
        message = (
            f"The ciphertext part ends with the {size}-byte tag, which is also sent as the tag "
            "part: the sender put the AEAD's ciphertext||tag output in the ciphertext part."
        )
        code_finding = finding("tag.appended_to_ciphertext", message, fix)
        return [Option(Sealed(ciphertext[:-size], tag), (code_finding,))]
    if not tag and len(ciphertext) >= size:
        message = (
            f"The tag part is empty and the ciphertext ends with the {size}-byte tag: the sender "
            "sent the AEAD's ciphertext||tag output as the ciphertext."
        )
        code_finding = finding("tag.appended_to_ciphertext", message, fix)
        return [Option(Sealed(ciphertext[:-size], ciphertext[-size:]), (code_finding,))]
    return []


def tag_options(
    ciphertext: bytes, tag: bytes, content: ContentEncryption
) -> tuple[list[Option[Sealed]], list[Finding]]:
    """Where the tag is: its own part, the end of the ciphertext, or a mis-sized part."""
    size = content.tag_size
    if len(tag) == size:
        return [Option(Sealed(ciphertext, tag)), *_appended(ciphertext, tag, content)], []
    options = _appended(ciphertext, tag, content)
    for decoded, form in _ascii_decodings(tag, size):
        message = (
            f"The tag part holds {len(tag)} bytes of {form} text; decoded, it is the {size}-byte "
            "tag."
        )
        fix = "Base64url-encode the tag's bytes, not a text form of them."
        options.append(Option(Sealed(ciphertext, decoded), (finding("tag.length", message, fix),)))
    if len(tag) > size:
        message = (
            f"The tag part is {len(tag)} bytes; its first {size} bytes are the {content.name} "
            "tag: the sender sent more than the tag."
        )
        fix = f"Send exactly the {size}-byte tag {content.name} defines, no more."
        options.append(
            Option(Sealed(ciphertext, tag[:size]), (finding("tag.length", message, fix),))
        )
    if content.family == "aes_gcm" and 4 <= len(tag) < size:
        message = (
            f"The tag is {len(tag)} bytes: a GCM tag truncated to {8 * len(tag)} bits, while "
            f"{content.name} requires the full 128-bit tag (RFC 7518 §5.3)."
        )
        fix = (
            "Send the whole 16-byte GCM tag; do not configure a shorter tag length (Java new "
            "GCMParameterSpec(128, iv), not 96 or 64; Node authTagLength 16)."
        )
        sealed = Sealed(ciphertext, tag, truncated_gcm_tag=True)
        options.append(Option(sealed, (finding("tag.length", message, fix),)))
    if not tag:
        plain = (
            f"The tag part is empty; {content.name} needs a {size}-byte tag, and the end of "
            "the ciphertext is not it either."
        )
    else:
        plain = f"The tag is {len(tag)} bytes, but {content.name} uses {size}."
    fallback = finding(
        "tag.length", plain, f"Send the {size}-byte authentication tag as the fifth part."
    )
    return options, [fallback]
