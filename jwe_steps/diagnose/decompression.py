"""zip "DEF" content that is not raw DEFLATE (RFC 7516 §4.1.3, §5.2 step 17).

python-jose and others have compressed with zlib.compress, which wraps the DEFLATE stream in
a zlib header (78 9c ...) and an Adler-32 trailer (RFC 1950); gzip wraps it too (1f 8b ...,
RFC 1952). The wrapped stream is inflated with the same cap decrypt() uses.
"""

from __future__ import annotations

import zlib

from ..limits import Limits
from .findings import Finding, Messages, say

_WRAPPERS = (
    # (name, zlib wbits, what makes it)
    ("zlib", 15, "zlib.compress(plaintext) in Python, new Deflater() without nowrap in Java"),
    ("gzip", 31, "gzip.compress(plaintext) in Python, GZIPOutputStream in Java"),
)


MESSAGES: Messages = {
    "decompression.framing": (
        "The content decrypts, and starts with {start}: it is {wrapper}-wrapped DEFLATE "
        "({made_by}), while zip 'DEF' means raw DEFLATE (RFC 1951) with no header or checksum. "
        "Inflated as {wrapper}, it gives the plaintext.",
        "Compress with raw DEFLATE: Python zlib.compressobj(wbits=-15), Java new "
        "Deflater(Deflater.DEFAULT_COMPRESSION, true) (nowrap), Node zlib.deflateRawSync, Go "
        "compress/flate (not compress/zlib).",
    ),
}


def _wrapper(data: bytes) -> tuple[str, int, str] | None:
    if len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0:
        return _WRAPPERS[0]
    if data.startswith(b"\x1f\x8b"):
        return _WRAPPERS[1]
    return None


def _inflates(data: bytes, wbits: int, max_bytes: int) -> bool:
    inflater = zlib.decompressobj(wbits=wbits)
    try:
        output = inflater.decompress(data, max_bytes + 1)
    except zlib.error:
        return False
    return len(output) <= max_bytes and not inflater.unconsumed_tail and inflater.eof


def framing_findings(compressed: bytes, limits: Limits) -> list[Finding]:
    """decompression.framing when ``compressed`` is a zlib- or gzip-wrapped DEFLATE stream."""
    wrapper = _wrapper(compressed)
    if wrapper is None:
        return []
    name, wbits, made_by = wrapper
    if not _inflates(compressed, wbits, limits.max_decompressed_bytes):
        return []
    facts = {"start": compressed[:2].hex(" "), "wrapper": name, "made_by": made_by}
    return [say(MESSAGES, "decompression.framing", **facts)]
