"""RFC 3394 §4 (AES Key Wrap test vectors), transcribed: KEK, key data and wrapped output.

The KEKs are published test keys: DEMO keys.
"""

from __future__ import annotations

from dataclasses import dataclass

# RFC 3394 §2.2.3.1: the default initial value A[0].
DEFAULT_IV = bytes.fromhex("A6A6A6A6A6A6A6A6")


@dataclass(frozen=True)
class KeyWrapVector:
    """One RFC 3394 §4 test: wrap ``key_data`` under ``kek``, get ``ciphertext``."""

    source: str
    kek: bytes
    key_data: bytes
    ciphertext: bytes


_KEK = bytes.fromhex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
_DATA = bytes.fromhex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F")

RFC3394_VECTORS = tuple(
    KeyWrapVector(f"RFC 3394 §4.{n}", _KEK[:kek], _DATA[:data], bytes.fromhex(ciphertext))
    for n, (kek, data, ciphertext) in enumerate(
        [
            (16, 16, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"),
            (24, 16, "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D"),
            (32, 16, "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7"),
            (24, 24, "031D33264E15D33268F24EC260743EDCE1C6C7DDEE725A936BA814915C6762D2"),
            (32, 24, "A8F9BC1612C68B3FF6E6F4FBE30E71E4769C8B80A32CB8958CD5D17D6B254DA1"),
            (
                32,
                32,
                "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21",
            ),
        ],
        start=1,
    )
)

__all__ = ["DEFAULT_IV", "RFC3394_VECTORS", "KeyWrapVector"]
