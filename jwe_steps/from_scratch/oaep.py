"""RSAES-OAEP from scratch (RFC 8017 §7.1), every intermediate value recorded.

Built on hashlib and Python integers only. Encryption (§7.1.1, EME-OAEP encoding in step 2):

    lHash      = Hash(L)                                  step 2a
    PS         = 00 … 00  (k - mLen - 2hLen - 2 bytes)     step 2b
    DB         = lHash ‖ PS ‖ 01 ‖ M                       step 2c
    seed       = hLen random bytes (or a fixed one)        step 2d
    dbMask     = MGF1(seed, k - hLen - 1)                  step 2e
    maskedDB   = DB ⊕ dbMask                               step 2f
    seedMask   = MGF1(maskedDB, hLen)                      step 2g
    maskedSeed = seed ⊕ seedMask                           step 2h
    EM         = 00 ‖ maskedSeed ‖ maskedDB                step 2i
    m = OS2IP(EM),  c = mᵉ mod n,  C = I2OSP(c, k)          steps 3-4

Decryption (§7.1.2) runs it backwards and checks Y = 00, lHash' = lHash and the 01 separator.
Every one of those failures — and a ciphertext of the wrong length or too large for n — ends
in one and the same :class:`KeyManagementError` (§7.1.2 note: telling them apart is Manger's
attack). The checks are combined without early exit; Python integers are still not constant
time, so this is for learning: use the default engine for real keys.

A fixed ``seed`` makes an encrypted key reproducible (for notebooks and published examples).
Never fix the seed for real data.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from ..errors import InputError, InvalidKeyError, KeyManagementError
from ..trace import Step
from ._common import Computation, Recorder, require_bytes, xor

SPEC = "RFC 8017"

HASHES: dict[str, Callable[..., Any]] = {
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}


@dataclass
class OAEPEncryption(Computation):
    """``oaep.encrypt`` result: ``.ciphertext`` (k bytes) and ``.steps``."""

    ciphertext: bytes = b""


@dataclass
class OAEPDecryption(Computation):
    """``oaep.decrypt`` result: ``.message`` and ``.steps``."""

    message: bytes = b""


def _hash(name: str) -> Callable[..., Any]:
    if name not in HASHES:
        raise InputError(
            "unsupported OAEP hash",
            code="input.oaep_hash",
            expected="one of " + ", ".join(HASHES),
            found=repr(name)[:40],
        )
    return HASHES[name]


def mgf1(seed: bytes, length: int, hash_name: str = "SHA-256") -> bytes:
    """MGF1 (RFC 8017 Appendix B.2.1): Hash(seed ‖ C) for C = 0, 1, 2, … concatenated."""
    hash_function = _hash(hash_name)
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hash_function(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return bytes(out[:length])


def _rsa_numbers(key: Any, *, private: bool) -> tuple[int, int, Any]:
    """(n, e, private numbers or None) from a Key, a ``cryptography`` RSA key, or anything
    :func:`jwe_steps.load_key` accepts."""
    from ..keys import Key, load_key

    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        material: Any = key
    else:
        loaded = key if isinstance(key, Key) else load_key(key)
        if loaded.kty != "RSA":
            raise InvalidKeyError(
                "RSA-OAEP needs an RSA key",
                code="key.type",
                expected="an RSA key",
                found=f"a {loaded.kty} key",
            )
        material = loaded.material
    if isinstance(material, rsa.RSAPrivateKey):
        numbers = material.private_numbers()
        return numbers.public_numbers.n, numbers.public_numbers.e, numbers
    if private:
        raise InvalidKeyError(
            "RSA-OAEP decryption needs the private key",
            code="key.not_private",
            expected="a private RSA key",
            found="a public key",
        )
    public = material.public_numbers()
    return public.n, public.e, None


def _describe(hash_name: str, mgf_hash: str, k: int, h_len: int, rec: Recorder) -> None:
    rec.add(
        "parameters",
        {"hash": hash_name, "mgf": f"MGF1-{mgf_hash}", "k": k, "hLen": h_len},
        f"OAEP with {hash_name}, MGF1-{mgf_hash}; the modulus is k = {k} bytes, "
        f"the hash hLen = {h_len} bytes",
        f"{SPEC} §7.1",
    )


def _eme_oaep_encode(
    message: bytes, label: bytes, seed: bytes, hash: str, mgf_hash: str, k: int, rec: Recorder
) -> bytes:
    """RFC 8017 §7.1.1 step 2, EME-OAEP encoding: lHash, PS, DB, the masks, EM."""
    hash_function = _hash(hash)
    h_len = hash_function().digest_size
    s = f"{SPEC} §7.1.1 step"
    l_hash = rec.add(
        "lHash",
        hash_function(label).digest(),
        f"the {hash} hash of the label L",
        f"{s} 2a",
        inputs=("label",),
        operation=f"{hash}(L)",
    )
    ps = rec.add(
        "PS",
        bytes(k - len(message) - 2 * h_len - 2),
        "the padding string: zero bytes filling DB up to k - hLen - 1 bytes",
        f"{s} 2b",
        operation="(k - mLen - 2hLen - 2) zero bytes",
    )
    db = rec.add(
        "DB",
        l_hash + ps + b"\x01" + message,
        "the data block",
        f"{s} 2c",
        inputs=("lHash", "PS", "message"),
        operation="lHash ‖ PS ‖ 0x01 ‖ M",
    )
    rec.add("seed", seed, f"the seed: {h_len} random bytes", f"{s} 2d")
    db_mask = rec.add(
        "dbMask",
        mgf1(seed, k - h_len - 1, mgf_hash),
        "the mask for DB, stretched from the seed",
        f"{s} 2e",
        inputs=("seed",),
        operation=f"MGF1-{mgf_hash}(seed, k - hLen - 1)",
    )
    masked_db = rec.add(
        "maskedDB",
        xor(db, db_mask),
        "the masked data block",
        f"{s} 2f",
        inputs=("DB", "dbMask"),
        operation="DB ⊕ dbMask",
    )
    seed_mask = rec.add(
        "seedMask",
        mgf1(masked_db, h_len, mgf_hash),
        "the mask for the seed, stretched from maskedDB",
        f"{s} 2g",
        inputs=("maskedDB",),
        operation=f"MGF1-{mgf_hash}(maskedDB, hLen)",
    )
    masked_seed = rec.add(
        "maskedSeed",
        xor(seed, seed_mask),
        "the masked seed",
        f"{s} 2h",
        inputs=("seed", "seedMask"),
        operation="seed ⊕ seedMask",
    )
    em = rec.add(
        "EM",
        b"\x00" + masked_seed + masked_db,
        "the encoded message, k bytes",
        f"{s} 2i",
        inputs=("maskedSeed", "maskedDB"),
        operation="0x00 ‖ maskedSeed ‖ maskedDB",
    )

    return em


def _rsaep(em: bytes, n: int, e: int, k: int, rec: Recorder) -> bytes:
    """RFC 8017 §7.1.1 steps 3-4: RSA encryption of EM, the ciphertext C."""
    s = f"{SPEC} §7.1.1 step"
    m = rec.add(
        "m",
        int.from_bytes(em, "big"),
        "the message representative: EM as an integer",
        f"{s} 3a",
        inputs=("EM",),
        operation="OS2IP(EM)",
    )
    c = rec.add(
        "c",
        pow(m, e, n),
        "the ciphertext representative",
        f"{s} 3b (RSAEP, §5.1.1)",
        inputs=("m",),
        operation="mᵉ mod n",
    )
    ciphertext = rec.add(
        "ciphertext",
        c.to_bytes(k, "big"),
        "the ciphertext C, k bytes",
        f"{s} 3c",
        inputs=("c",),
        operation="I2OSP(c, k)",
    )
    return ciphertext


def encrypt(
    public_key: Any,
    message: bytes,
    hash: str = "SHA-256",
    label: bytes = b"",
    seed: bytes | None = None,
    *,
    mgf_hash: str | None = None,
    steps: list[Step] | None = None,
) -> OAEPEncryption:
    """RSAES-OAEP-ENCRYPT((n, e), M, L) of RFC 8017 §7.1.1.

    Args:
        public_key: an RSA key (public or private): a :class:`jwe_steps.Key`, a JWK, PEM or a
            ``cryptography`` RSA key object.
        message: M, at most k - 2·hLen - 2 bytes.
        hash: "SHA-1" (JWE ``RSA-OAEP``), "SHA-256" (``RSA-OAEP-256``), "SHA-384" or "SHA-512".
        label: L (JWE uses the empty label).
        seed: hLen bytes to use instead of a random seed, for reproducible examples only.
        mgf_hash: the MGF1 hash; the same as ``hash`` unless given (JWE always uses the same).
    """
    message = require_bytes(message, "the OAEP message")
    label = require_bytes(label, "the OAEP label")
    mgf_hash = mgf_hash or hash
    hash_function, _ = _hash(hash), _hash(mgf_hash)
    n, e, _private = _rsa_numbers(public_key, private=False)
    k = (n.bit_length() + 7) // 8
    h_len = hash_function().digest_size
    rec = Recorder(steps)
    _describe(hash, mgf_hash, k, h_len, rec)

    # Step 1b: length checking.
    if len(message) > k - 2 * h_len - 2:
        raise InputError(
            "the message is too long for RSA-OAEP with this key",
            code="input.too_long",
            expected=f"at most {k - 2 * h_len - 2} bytes (k - 2·hLen - 2, RFC 8017 §7.1.1)",
            found=f"{len(message)} bytes",
        )
    if seed is None:
        seed = os.urandom(h_len)
    else:
        seed = require_bytes(seed, "the OAEP seed")
        if len(seed) != h_len:
            raise InputError(
                "the fixed OAEP seed has the wrong length",
                code="input.oaep_seed",
                expected=f"{h_len} bytes (hLen of {hash})",
                found=f"{len(seed)} bytes",
            )

    em = _eme_oaep_encode(message, label, seed, hash, mgf_hash, k, rec)
    ciphertext = _rsaep(em, n, e, k, rec)
    return OAEPEncryption(steps=rec.steps, ciphertext=ciphertext)


def _decryption_error() -> KeyManagementError:
    # One error for every failure (RFC 8017 §7.1.2 note): same message, same fields.
    return KeyManagementError(
        "RSA-OAEP decryption failed",
        code="key_management.failed",
        expected="a ciphertext made for this key with this OAEP hash and label",
        found="one that does not decode",
        hint="The sender used another public key or another OAEP hash, or the data was altered.",
    )


def _rsadp(c: int, numbers: rsa.RSAPrivateNumbers) -> int:
    """RSADP (§5.1.2) with the CRT: m = cᵈ mod n via m₁ = c^dP mod p, m₂ = c^dQ mod q."""
    m1 = pow(c, numbers.dmp1, numbers.p)
    m2 = pow(c, numbers.dmq1, numbers.q)
    h = (numbers.iqmp * (m1 - m2)) % numbers.p
    return m2 + numbers.q * h


def _rsa_decrypt(ciphertext: bytes, n: int, numbers: Any, k: int, rec: Recorder) -> bytes:
    """RFC 8017 §7.1.2 step 2: RSA decryption of C, the encoded message EM."""
    s = f"{SPEC} §7.1.2 step"
    c = rec.add(
        "c",
        int.from_bytes(ciphertext, "big"),
        "the ciphertext C as an integer",
        f"{s} 2a",
        inputs=("ciphertext",),
        operation="OS2IP(C)",
    )
    if c >= n:  # RSADP step 1: the representative must be below n.
        raise _decryption_error()
    m = rec.add(
        "m",
        _rsadp(c, numbers),
        "the message representative",
        f"{s} 2b (RSADP, §5.1.2)",
        inputs=("c",),
        operation="cᵈ mod n",
    )
    em = rec.add(
        "EM",
        m.to_bytes(k, "big"),
        "the encoded message, k bytes",
        f"{s} 2c",
        inputs=("m",),
        operation="I2OSP(m, k)",
    )

    return em


def _split_data_block(db: bytes, l_hash: bytes, y: int, h_len: int, rec: Recorder) -> bytes:
    """RFC 8017 §7.1.2 step 3g: split DB into lHash', PS, 0x01 and M, checking every byte
    without stopping at the first bad one (one error for every failure)."""
    s = f"{SPEC} §7.1.2 step"
    good = hmac.compare_digest(db[:h_len], l_hash) & (y == 0)
    separator = -1  # index of the first 0x01 after the zero run
    looking = True
    for index in range(h_len, len(db)):
        byte = db[index]
        is_one = byte == 1
        separator = index if (looking and is_one) else separator
        good &= not (looking and byte not in (0, 1))  # only zeros may precede the 0x01
        looking &= not is_one
    good &= separator >= 0
    if not good:
        raise _decryption_error()
    rec.add(
        "PS",
        db[h_len:separator],
        "the zero padding between lHash' and the 0x01",
        f"{s} 3g",
        inputs=("DB",),
    )
    message = rec.add(
        "message",
        db[separator + 1 :],
        "the message M: everything after the 0x01",
        f"{s} 3g",
        inputs=("DB",),
        operation="DB = lHash' ‖ PS ‖ 0x01 ‖ M",
    )
    return message


def _eme_oaep_decode(
    em: bytes, label: bytes, hash: str, mgf_hash: str, k: int, rec: Recorder
) -> bytes:
    """RFC 8017 §7.1.2 step 3, EME-OAEP decoding: the masks undone, DB checked, M."""
    hash_function = _hash(hash)
    h_len = hash_function().digest_size
    s = f"{SPEC} §7.1.2 step"
    l_hash = rec.add(
        "lHash",
        hash_function(label).digest(),
        f"the {hash} hash of the label L",
        f"{s} 3a",
        inputs=("label",),
        operation=f"{hash}(L)",
    )
    y, masked_seed, masked_db = em[0], em[1 : h_len + 1], em[h_len + 1 :]
    rec.add(
        "Y",
        em[:1],
        "the first byte of EM: must be 0x00",
        f"{s} 3b",
        inputs=("EM",),
        operation="EM[0]",
    )
    rec.add(
        "maskedSeed",
        masked_seed,
        "the masked seed: the next hLen bytes of EM",
        f"{s} 3b",
        inputs=("EM",),
        operation="EM[1 : hLen + 1]",
    )
    rec.add(
        "maskedDB",
        masked_db,
        "the masked data block: the rest of EM",
        f"{s} 3b",
        inputs=("EM",),
        operation="EM[hLen + 1 :]",
    )
    seed_mask = rec.add(
        "seedMask",
        mgf1(masked_db, h_len, mgf_hash),
        "the seed mask, stretched from maskedDB",
        f"{s} 3c",
        inputs=("maskedDB",),
        operation=f"MGF1-{mgf_hash}(maskedDB, hLen)",
    )
    seed = rec.add(
        "seed",
        xor(masked_seed, seed_mask),
        "the seed the sender drew",
        f"{s} 3d",
        inputs=("maskedSeed", "seedMask"),
        operation="maskedSeed ⊕ seedMask",
    )
    db_mask = rec.add(
        "dbMask",
        mgf1(seed, k - h_len - 1, mgf_hash),
        "the DB mask, stretched from the seed",
        f"{s} 3e",
        inputs=("seed",),
        operation=f"MGF1-{mgf_hash}(seed, k - hLen - 1)",
    )
    db = rec.add(
        "DB",
        xor(masked_db, db_mask),
        "the data block: lHash' ‖ PS ‖ 0x01 ‖ M",
        f"{s} 3f",
        inputs=("maskedDB", "dbMask"),
        operation="maskedDB ⊕ dbMask",
    )

    message = _split_data_block(db, l_hash, y, h_len, rec)
    return message


def decrypt(
    private_key: Any,
    ciphertext: bytes,
    hash: str = "SHA-256",
    label: bytes = b"",
    *,
    mgf_hash: str | None = None,
    steps: list[Step] | None = None,
) -> OAEPDecryption:
    """RSAES-OAEP-DECRYPT(K, C, L) of RFC 8017 §7.1.2.

    Raises one :class:`KeyManagementError`, always with the same message, for every way the
    ciphertext can fail to decode.
    """
    ciphertext = require_bytes(ciphertext, "the OAEP ciphertext")
    label = require_bytes(label, "the OAEP label")
    mgf_hash = mgf_hash or hash
    hash_function, _ = _hash(hash), _hash(mgf_hash)
    n, _e, numbers = _rsa_numbers(private_key, private=True)
    k = (n.bit_length() + 7) // 8
    h_len = hash_function().digest_size
    rec = Recorder(steps)
    _describe(hash, mgf_hash, k, h_len, rec)

    # Step 1: length checking (both are "decryption error").
    if len(ciphertext) != k or k < 2 * h_len + 2:
        raise _decryption_error()
    em = _rsa_decrypt(ciphertext, n, numbers, k, rec)
    message = _eme_oaep_decode(em, label, hash, mgf_hash, k, rec)
    return OAEPDecryption(steps=rec.steps, message=message)


__all__ = ["HASHES", "OAEPDecryption", "OAEPEncryption", "decrypt", "encrypt", "mgf1"]
