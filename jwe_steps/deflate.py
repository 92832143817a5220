"""Compression, ``zip: "DEF"`` (RFC 7516 §4.1.3; §5.1 step 11, §5.2 step 17): raw DEFLATE
(RFC 1951), no zlib wrapper, inflated under a size cap."""

from __future__ import annotations

import zlib

from .errors import DecompressionError

# RFC 7516 §4.1.3: "DEF" is DEFLATE (RFC 1951), the only registered value.
DEFLATE = "DEF"


def compress(plaintext: bytes) -> bytes:
    """``zip: "DEF"`` (RFC 7516 §5.1 step 11): raw DEFLATE (RFC 1951), no zlib wrapper."""
    compressor = zlib.compressobj(wbits=-15)
    return compressor.compress(plaintext) + compressor.flush()


def decompress(data: bytes, max_bytes: int) -> bytes:
    """Inflate raw DEFLATE (RFC 7516 §5.2 step 17), never producing more than ``max_bytes``.

    The output is bounded while inflating (``max_length``), so a small token that would
    inflate to gigabytes stops at the cap instead of exhausting memory.
    """
    inflater = zlib.decompressobj(wbits=-15)
    try:
        output = inflater.decompress(data, max_bytes + 1)
    except zlib.error:
        raise DecompressionError(
            "the decrypted content is not valid DEFLATE data",
            code="decompression.invalid",
            expected="a raw DEFLATE stream (RFC 1951), as zip 'DEF' requires",
            found="data that does not inflate",
        ) from None
    if len(output) > max_bytes or inflater.unconsumed_tail:
        raise DecompressionError(
            "the decompressed content is larger than the configured limit",
            code="limits.decompressed_size",
            expected=f"at most {max_bytes} bytes (Limits.max_decompressed_bytes)",
            found="more",
            hint="Raise Limits(max_decompressed_bytes=...) if such tokens are legitimate.",
        )
    if not inflater.eof:
        raise DecompressionError(
            "the DEFLATE stream is truncated",
            code="decompression.truncated",
            expected="a complete DEFLATE stream",
            found="a stream without its final block",
        )
    if inflater.unused_data:
        raise DecompressionError(
            "the DEFLATE stream is followed by extra bytes",
            code="decompression.trailing_data",
            expected="nothing after the final block",
            found=f"{len(inflater.unused_data)} extra bytes",
        )
    return output
