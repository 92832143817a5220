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
from typing import Any

from .. import algorithms as registry
from ..algorithms import ContentEncryption
from .findings import Finding, Messages, Option, say


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


_SPLIT_FIX = (
    "Split the AEAD output: the last {size} bytes are the tag (part 5), the rest is the "
    "ciphertext (part 4). Java's Cipher.doFinal, Go's gcm.Seal, .NET's AesGcm output and "
    "Python's AESGCM.encrypt all return ciphertext||tag in one array; Node gives the tag "
    "separately (cipher.getAuthTag())."
)
MESSAGES: Messages = {
    "cek.length:text": (
        "The recovered CEK is {length} bytes of {form} text: the sender encrypted the {form} "
        "form of the {size}-byte key instead of its bytes.",
        "Encrypt the raw CEK bytes, not their text form (Java key.getEncoded(), not a hex or "
        "Base64 string of it; Node the Buffer itself, not buf.toString()).",
    ),
    "cek.length:other_enc": (
        "The CEK is {length} bytes, a key for {other}, while the header says {enc} ({size} "
        "bytes): the sender encrypted with {other} and wrote {enc}.",
        "Send enc {other!r}, or generate a {size}-byte CEK for {enc} (Java "
        "KeyGenerator.init({bits})).",
    ),
    "cek.length:other_enc_fails": (
        "The recovered CEK is {length} bytes (the key size of {sizes}), while the header says "
        "{enc} ({size} bytes); read as {other}, the content does not decrypt either. Either "
        "the sender encrypted with another enc than the one it wrote and something else is "
        "wrong too, or the header's enc was changed after encryption: the protected header is "
        "the AAD, so changing it breaks the tag.",
        "Have the sender write in enc the algorithm it encrypts with, before encrypting, and "
        "send the header part exactly as encrypted; or generate a {size}-byte CEK for {enc}.",
    ),
    "cek.length": (
        "The recovered CEK is {length} bytes, but {enc} needs {size} ({bits} bits).",
        "Generate a fresh {size}-byte random CEK for {enc} (RFC 7516 §5.1 step 2).",
    ),
    "iv.length:text": (
        "The IV part holds {length} bytes of {form} text; decoded, it is the {size}-byte IV the "
        "content was encrypted with.",
        "Base64url-encode the IV's bytes, not a text form of them.",
    ),
    "iv.length:gcm": (
        "The IV is {length} bytes; GCM accepts other lengths, but JWE fixes the {enc} IV at "
        "{size} bytes (RFC 7518 §5.3), so conforming receivers reject the token.",
        "Generate a {size}-byte (96-bit) random IV for {enc}: Java new GCMParameterSpec(128, "
        "iv) with a 12-byte iv, Node createCipheriv with a 12-byte iv, Go cipher.NewGCM (not "
        "NewGCMWithNonceSize).",
    ),
    "iv.length": (
        "The IV is {length} bytes, but {enc} uses {size} ({bits} bits).",
        "Generate a fresh {size}-byte random IV for every token.",
    ),
    "tag.appended_to_ciphertext": (
        "The ciphertext part ends with the {size}-byte tag, which is also sent as the tag "
        "part: the sender put the AEAD's ciphertext||tag output in the ciphertext part.",
        _SPLIT_FIX,
    ),
    "tag.appended_to_ciphertext:empty_tag": (
        "The tag part is empty and the ciphertext ends with the {size}-byte tag: the sender "
        "sent the AEAD's ciphertext||tag output as the ciphertext.",
        _SPLIT_FIX,
    ),
    "tag.length:text": (
        "The tag part holds {length} bytes of {form} text; decoded, it is the {size}-byte tag.",
        "Base64url-encode the tag's bytes, not a text form of them.",
    ),
    "tag.length:long": (
        "The tag part is {length} bytes; its first {size} bytes are the {enc} tag: the sender "
        "sent more than the tag.",
        "Send exactly the {size}-byte tag {enc} defines, no more.",
    ),
    "tag.length:truncated": (
        "The tag is {length} bytes: a GCM tag truncated to {bits} bits, while {enc} requires "
        "the full 128-bit tag (RFC 7518 §5.3).",
        "Send the whole 16-byte GCM tag; do not configure a shorter tag length (Java new "
        "GCMParameterSpec(128, iv), not 96 or 64; Node authTagLength 16).",
    ),
    "tag.length:empty": (
        "The tag part is empty; {enc} needs a {size}-byte tag, and the end of the ciphertext "
        "is not it either.",
        "Send the {size}-byte authentication tag as the fifth part.",
    ),
    "tag.length": (
        "The tag is {length} bytes, but {enc} uses {size}.",
        "Send the {size}-byte authentication tag as the fifth part.",
    ),
}


def _say(key: str, value: bytes, size: int, content: ContentEncryption, **facts: Any) -> Finding:
    """The finding for ``key`` about a part ``value`` that should have ``size`` bytes."""
    return say(
        MESSAGES,
        key,
        length=len(value),
        size=size,
        bits=8 * size,
        enc=content.name,
        **facts,
    )


def cek_options(
    cek: bytes, content: ContentEncryption
) -> tuple[list[Option[tuple[bytes, ContentEncryption]]], list[Finding]]:
    """The CEK as recovered, or as the sender's mistake made it: text, or a key for another enc."""
    size = content.key_size
    if len(cek) == size:
        return [Option((cek, content))], []
    options: list[Option[tuple[bytes, ContentEncryption]]] = []
    for decoded, form in _ascii_decodings(cek, size):
        found = _say("cek.length:text", cek, size, content, form=form)
        options.append(Option((decoded, content), (found,)))
    for other in registry.CONTENT_ENCRYPTION.values():
        if other.key_size == len(cek) and other.family == content.family:
            found = _say("cek.length:other_enc", cek, size, content, other=other.name)
            options.append(Option((cek, other), (found,)))
    return options, [_say("cek.length", cek, size, content)]


def other_enc_failed(cek: bytes, content: ContentEncryption) -> list[Finding] | None:
    """cek.length when the CEK fits another enc of the same family and, read as that enc,
    the content still fails (the caller knows it tried that reading), else None."""
    fits = [c for c in registry.CONTENT_ENCRYPTION.values() if c.key_size == len(cek)]
    same = [c for c in fits if c.family == content.family and c is not content]
    if not same:
        return None
    sizes = " or ".join(c.name for c in fits)
    facts = {"other": same[0].name, "sizes": sizes}
    return [_say("cek.length:other_enc_fails", cek, content.key_size, content, **facts)]


def iv_options(iv: bytes, content: ContentEncryption) -> tuple[list[Option[bytes]], list[Finding]]:
    """The IV as received when its length fits, else the readings a mistake explains."""
    size = content.iv_size
    if len(iv) == size:
        return [Option(iv)], []
    options = [
        Option(decoded, (_say("iv.length:text", iv, size, content, form=form),))
        for decoded, form in _ascii_decodings(iv, size)
    ]
    if content.family == "aes_gcm" and 8 <= len(iv) <= 128:
        options.append(Option(iv, (_say("iv.length:gcm", iv, size, content),)))
    return options, [_say("iv.length", iv, size, content)]


def _appended(ciphertext: bytes, tag: bytes, content: ContentEncryption) -> list[Option[Sealed]]:
    """The readings where the AEAD's ciphertext||tag went into the ciphertext part."""
    size = content.tag_size
    ends_with_tag = len(ciphertext) >= size and hmac.compare_digest(ciphertext[-size:], tag)
    if len(tag) == size and ends_with_tag:
        found = _say("tag.appended_to_ciphertext", tag, size, content)
        return [Option(Sealed(ciphertext[:-size], tag), (found,))]
    if not tag and len(ciphertext) >= size:
        found = _say("tag.appended_to_ciphertext:empty_tag", tag, size, content)
        return [Option(Sealed(ciphertext[:-size], ciphertext[-size:]), (found,))]
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
        found = _say("tag.length:text", tag, size, content, form=form)
        options.append(Option(Sealed(ciphertext, decoded), (found,)))
    if len(tag) > size:
        found = _say("tag.length:long", tag, size, content)
        options.append(Option(Sealed(ciphertext, tag[:size]), (found,)))
    if content.family == "aes_gcm" and 4 <= len(tag) < size:
        found = say(
            MESSAGES, "tag.length:truncated", length=len(tag), bits=8 * len(tag), enc=content.name
        )
        options.append(Option(Sealed(ciphertext, tag, truncated_gcm_tag=True), (found,)))
    fallback = _say("tag.length:empty" if not tag else "tag.length", tag, size, content)
    return options, [fallback]
