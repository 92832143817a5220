"""AES-CBC with HMAC-SHA-2: RFC 7518 §5.2 (A128CBC-HS256, A192CBC-HS384, A256CBC-HS512).

Encrypt-then-MAC, following §5.2.2.1:

1. MAC_KEY = the first half of the CEK, ENC_KEY = the second half.
2. IV: 128 random bits.
3. E = AES-CBC(ENC_KEY, IV, P with PKCS #7 padding).
4. AL = the bit length of the AAD as a 64-bit big-endian integer.
5. M = HMAC-SHA-2(MAC_KEY, A || IV || E || AL).
6. T = the first half of M.

Decryption (§5.2.2.2) checks T in constant time *before* it decrypts anything.
"""

from __future__ import annotations

import hmac
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ..errors import DecryptionFailedError
from ..from_scratch import engine as from_scratch
from . import ContentEncryption, Context, register

BLOCK_SIZE = 16


class AESCBCHMAC(ContentEncryption):
    """AES in CBC mode, authenticated by a truncated HMAC over AAD, IV, ciphertext and AL."""

    family = "aes_cbc_hmac"

    iv_size = BLOCK_SIZE
    rfc = "RFC 7518 §5.2"

    def __init__(self, aes_bits: int, hash_bits: int):
        self.name = f"A{aes_bits}CBC-HS{hash_bits}"
        self.key_size = 2 * aes_bits // 8  # MAC_KEY || ENC_KEY
        self.tag_size = aes_bits // 8  # T_LEN: HMAC output truncated to half
        self.hash_name = f"sha{hash_bits}"
        self.description = f"AES-{aes_bits} in CBC mode with HMAC-SHA-{hash_bits}"

    def split_key(self, cek: bytes, ctx: Context) -> tuple[bytes, bytes]:
        """§5.2.2.1 step 1: MAC_KEY and ENC_KEY, recorded as steps."""
        half = self.key_size // 2
        mac_key = ctx.trace.add(
            "mac_key",
            cek[:half],
            f"MAC_KEY: the first {half} bytes of the CEK, the HMAC key",
            "RFC 7518 §5.2.2.1 step 1",
            inputs=("cek",),
            operation=f"CEK[0:{half}]",
        )
        enc_key = ctx.trace.add(
            "enc_key",
            cek[half:],
            f"ENC_KEY: the last {half} bytes of the CEK, the AES-CBC key",
            "RFC 7518 §5.2.2.1 step 1",
            inputs=("cek",),
            operation=f"CEK[{half}:{self.key_size}]",
        )
        return mac_key, enc_key

    def authentication_tag(
        self, mac_key: bytes, iv: bytes, ciphertext: bytes, aad: bytes, ctx: Context
    ) -> bytes:
        """§5.2.2.1 steps 4-6: AL, the HMAC input, the full HMAC, and T (its first half)."""
        al = ctx.trace.add(
            "al",
            struct.pack(">Q", 8 * len(aad)),
            f"AL: the AAD length in bits ({8 * len(aad)}) as a 64-bit big-endian integer",
            "RFC 7518 §5.2.2.1 step 4",
            inputs=("aad",),
        )
        mac_input = ctx.trace.add(
            "hmac_input",
            b"".join((aad, iv, ciphertext, al)),  # one copy; chained + would make two
            "the HMAC input: AAD || IV || ciphertext || AL",
            "RFC 7518 §5.2.2.1 step 5",
            inputs=("aad", "iv", "ciphertext", "al"),
            operation="A || IV || E || AL",
        )
        full: bytes = ctx.trace.add(
            "hmac_output",
            hmac.new(mac_key, mac_input, self.hash_name).digest(),
            f"M: HMAC-{self.hash_name.upper()} of the HMAC input under MAC_KEY",
            "RFC 7518 §5.2.2.1 step 5",
            inputs=("mac_key", "hmac_input"),
            operation=f"HMAC-{self.hash_name.upper()}(MAC_KEY, hmac_input)",
        )
        return full[: self.tag_size]

    def encrypt(
        self, cek: bytes, iv: bytes, plaintext: bytes, aad: bytes, ctx: Context
    ) -> tuple[bytes, bytes]:
        if from_scratch.uses_from_scratch(ctx):
            return from_scratch.cbc_hmac_encrypt(cek, iv, plaintext, aad, ctx)
        mac_key, enc_key = self.split_key(cek, ctx)
        # PKCS #7 (RFC 5652 §6.3): 1 to 16 bytes, each holding the count. One copy of the
        # content, where the padder's update() + finalize() makes two.
        count = BLOCK_SIZE - len(plaintext) % BLOCK_SIZE
        padded = plaintext + bytes((count,)) * count
        encryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
        ciphertext = encryptor.update(padded) + encryptor.finalize()
        return ciphertext, self.authentication_tag(mac_key, iv, ciphertext, aad, ctx)

    def decrypt(
        self, cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes, ctx: Context
    ) -> bytes:
        if from_scratch.uses_from_scratch(ctx):
            return from_scratch.cbc_hmac_decrypt(cek, iv, ciphertext, tag, aad, ctx)
        mac_key, enc_key = self.split_key(cek, ctx)
        expected = self.authentication_tag(mac_key, iv, ciphertext, aad, ctx)
        # §5.2.2.2: compare in constant time, and decrypt nothing unless the tag verifies.
        if not hmac.compare_digest(expected, tag):
            raise _failure("the HMAC tag did not verify")
        if not ciphertext or len(ciphertext) % BLOCK_SIZE:
            raise _failure("the ciphertext is not a whole number of AES blocks")
        decryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        # The tag has verified, so the padding check needs no constant time: no oracle is left.
        count = padded[-1]
        if not 1 <= count <= BLOCK_SIZE or padded[-count:] != bytes((count,)) * count:
            raise _failure("the PKCS #7 padding is invalid")
        return padded[:-count]


def _failure(found: str) -> DecryptionFailedError:
    return DecryptionFailedError(
        "AES-CBC-HMAC authenticated decryption failed",
        expected="an HMAC tag that verifies over AAD, IV and ciphertext, then valid padding",
        found=found,
        hint="Wrong key, or the header, IV, ciphertext or tag was altered. "
        "Run `jwe-steps explain` with your own key to find out which.",
    )


register(AESCBCHMAC(128, 256))
register(AESCBCHMAC(192, 384))
register(AESCBCHMAC(256, 512))
