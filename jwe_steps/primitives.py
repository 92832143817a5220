"""The cryptographic primitives every algorithm calls, behind one protocol.

An algorithm module never imports a crypto library's cipher itself: it calls
``ctx.primitives.<op>(...)``, where ``ctx.primitives`` is a :class:`Primitives`:

- :data:`CRYPTOGRAPHY` (the default): pyca/cryptography, the engine for real data;
- ``engine="from_scratch"``: :class:`jwe_steps.from_scratch.engine.FromScratchPrimitives`, the
  teaching implementations, which also record their inner steps (``gcm.H``, ``oaep.DB``...).
  That package is imported only when this engine is asked for (:func:`primitives_for`).

Both give byte-identical results (tests/test_engine_from_scratch.py). Failures that depend on
the key (an OAEP padding, a key-wrap integrity value) are returned as ``None`` rather than
raised, so the algorithm names the failure itself and the §11.5 countermeasure in the pipeline
need not pay for an exception.
"""

from __future__ import annotations

import functools
import hmac
import io
import struct
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, keywrap
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from .errors import InputError
from .kdf import concat_kdf
from .trace import Deferred

# How a primitive records its steps: a trace's add_record (or a fresh trace's list.append),
# given (name, value, meaning, rfc, extra) tuples.
Record = Callable[[tuple[Any, ...]], None]

if TYPE_CHECKING:
    from .trace import Trace

Engine = Literal["cryptography", "from_scratch"]
ENGINES: tuple[Engine, ...] = ("cryptography", "from_scratch")
FROM_SCRATCH: Engine = "from_scratch"
OAEP_SEED_OPTION = "oaep_seed"

GCM_TAG_SIZE = 16
AES_BLOCK = 16

# From this size on, AES-GCM content goes through the streaming interface, which takes the tag
# separately: AESGCM wants ciphertext || tag as one buffer (and returns them as one), so each
# call would copy the whole content once more, and for buffers this large every fresh copy is
# fresh pages from the kernel (measured: 256 KiB decrypt 400 us -> 30 us, 4 MiB 3.4 ms ->
# 0.2 ms; below 64 KiB the one-shot AESGCM call is a couple of microseconds cheaper).
STREAMING_FROM = 128 * 1024


class Primitives(Protocol):
    """The operations the algorithm modules need. ``trace`` receives any inner steps."""

    engine: Engine

    def aes_gcm_encrypt(
        self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes, trace: Trace, prefix: str
    ) -> tuple[bytes, bytes]:
        """AES-GCM: ``(ciphertext, 128-bit tag)``."""

    def aes_gcm_decrypt(
        self,
        key: bytes,
        iv: bytes,
        ciphertext: bytes,
        tag: bytes,
        aad: bytes,
        trace: Trace,
        prefix: str,
    ) -> bytes | None:
        """AES-GCM: the plaintext, or None when the tag does not verify."""

    def cbc_hmac_encrypt(
        self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes, trace: Trace
    ) -> tuple[bytes, bytes]:
        """AES_CBC_HMAC_SHA2 (RFC 7518 §5.2.2.1), the hash chosen by the key's length."""

    def cbc_hmac_decrypt(
        self, key: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes, trace: Trace
    ) -> bytes | str:
        """AES_CBC_HMAC_SHA2 (§5.2.2.2): the plaintext (bytes), or what failed (a str)."""

    def rsa_oaep_encrypt(
        self, public_key: Any, message: bytes, hash_name: str, trace: Trace
    ) -> bytes:
        """RSAES-OAEP with ``hash_name`` for OAEP and MGF1 and an empty label."""

    def rsa_oaep_decrypt(
        self, private_key: Any, ciphertext: bytes, hash_name: str, trace: Trace
    ) -> bytes | None:
        """RSAES-OAEP decryption, or None for any decryption error."""

    def rsa_pkcs1v15_encrypt(self, public_key: Any, message: bytes, trace: Trace) -> bytes:
        """RSAES-PKCS1-v1_5."""

    def rsa_pkcs1v15_decrypt(
        self, private_key: Any, ciphertext: bytes, trace: Trace
    ) -> bytes | None:
        """RSAES-PKCS1-v1_5 decryption, or None for a padding error."""

    def aes_key_wrap(self, kek: bytes, key: bytes, trace: Trace) -> bytes:
        """RFC 3394 AES Key Wrap."""

    def aes_key_unwrap(self, kek: bytes, wrapped: bytes, trace: Trace) -> bytes | None:
        """RFC 3394 AES Key Unwrap, or None when the integrity value does not check out."""

    def concat_kdf(
        self,
        z: bytes,
        algorithm_id: str,
        apu: bytes,
        apv: bytes,
        key_bits: int,
        other_info: bytes,
        trace: Trace,
    ) -> bytes:
        """The Concat KDF of RFC 7518 §4.6.2 (``other_info`` is the encoded OtherInfo)."""

    def pbes2_kek(
        self,
        password: bytes,
        alg: str,
        p2s: bytes,
        p2c: int,
        salt_input: bytes,
        hash_bits: int,
        key_size: int,
        trace: Trace,
    ) -> bytes:
        """PBKDF2-HMAC-SHA-``hash_bits`` of RFC 7518 §4.8.1.1 (``salt_input`` = alg||0||p2s)."""

    def ecdh(self, private_key: Any, public_key: Any) -> bytes:
        """Z: ECDH (SEC 1 §3.3.1) or X25519/X448 (RFC 7748 §6); ValueError for a low-order
        point."""


_OAEP_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA-1": hashes.SHA1,
    "SHA-256": hashes.SHA256,
    "SHA-384": hashes.SHA384,
    "SHA-512": hashes.SHA512,
}
# Built once: a padding object holds no state, and building it costs about a microsecond.
_OAEP_PADDINGS = {
    name: padding.OAEP(mgf=padding.MGF1(algorithm=factory()), algorithm=factory(), label=None)
    for name, factory in _OAEP_HASHES.items()
}
_PKCS1V15 = padding.PKCS1v15()
_PBKDF2_HASHES: dict[int, type[hashes.HashAlgorithm]] = {
    256: hashes.SHA256,
    384: hashes.SHA384,
    512: hashes.SHA512,
}
_CBC_HMAC_HASHES = {32: "sha256", 48: "sha384", 64: "sha512"}  # by CEK length (RFC 7518 §5.2)
_HMAC_HASHES = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}


def oaep_padding(hash_name: str) -> padding.OAEP:
    """OAEP with ``hash_name`` for both OAEP and MGF1, and an empty label."""
    return _OAEP_PADDINGS[hash_name]


def gcm_seal(key: bytes, iv: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """One-shot AES-GCM for content below :data:`STREAMING_FROM`: ``(ciphertext, tag)``."""
    sealed = AESGCM(key).encrypt(iv, plaintext, aad)
    # cryptography returns ciphertext || tag; JWE carries them as two parts.
    return sealed[:-GCM_TAG_SIZE], sealed[-GCM_TAG_SIZE:]


def gcm_open(key: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes) -> bytes | None:
    """One-shot AES-GCM decryption for content below :data:`STREAMING_FROM`: the plaintext,
    or None when the tag does not verify."""
    try:
        return AESGCM(key).decrypt(iv, ciphertext + tag, aad)
    except InvalidTag:
        return None


# ---- AES_CBC_HMAC_SHA2 (RFC 7518 §5.2.2) with its steps recorded through ``record`` (the
# trace's add_record, or a fresh trace's list.append on the compact path): the general path and
# the compact path's one-call form share these.


class _CbcHmacWords(NamedTuple):
    """The fixed words of the CBC-HMAC steps for one CEK size."""

    hash_name: str
    mac_key_meaning: str
    enc_key_meaning: str
    mac_key_extra: dict[str, Any]
    enc_key_extra: dict[str, Any]
    hmac_output_meaning: str
    hmac_output_extra: dict[str, Any]


@functools.cache
def _cbc_hmac_texts(size: int) -> _CbcHmacWords:
    """The fixed words of the CBC-HMAC steps for a ``size``-byte CEK, made once per size."""
    half, hash_name = size // 2, _CBC_HMAC_HASHES[size]
    name = f"HMAC-{hash_name.upper()}"
    return _CbcHmacWords(
        hash_name,
        f"MAC_KEY: the first {half} bytes of the CEK, the HMAC key",
        f"ENC_KEY: the last {half} bytes of the CEK, the AES-CBC key",
        {"inputs": ("cek",), "operation": f"CEK[0:{half}]"},
        {"inputs": ("cek",), "operation": f"CEK[{half}:{size}]"},
        f"M: {name} of the HMAC input under MAC_KEY",
        {"inputs": ("mac_key", "hmac_input"), "operation": f"{name}(MAC_KEY, hmac_input)"},
    )


@functools.lru_cache(maxsize=64)
def _al_record(aad_length: int) -> tuple[Any, ...]:
    """§5.2.2.1 step 4's record for an AAD of ``aad_length`` bytes (a sender's header is the
    same on every request, so this is made once per header length)."""
    bits = 8 * aad_length
    return (
        "al", struct.pack(">Q", bits),
        f"AL: the AAD length in bits ({bits}) as a 64-bit big-endian integer",
        "RFC 7518 §5.2.2.1 step 4", _AL_EXTRA,
    )  # fmt: skip


_CBC_KEY_RFC = "RFC 7518 §5.2.2.1 step 1"
_AL_EXTRA = {"inputs": ("aad",)}
_HMAC_INPUT_EXTRA = {"inputs": ("aad", "iv", "ciphertext", "al"), "operation": "A || IV || E || AL"}


def _split_key(key: bytes, record: Record) -> tuple[bytes, bytes, _CbcHmacWords]:
    """§5.2.2.1 step 1: MAC_KEY and ENC_KEY, recorded as steps; and the steps' words."""
    words = _cbc_hmac_texts(len(key))
    half = len(key) // 2
    mac_key, enc_key = key[:half], key[half:]
    record(("mac_key", mac_key, words.mac_key_meaning, _CBC_KEY_RFC, words.mac_key_extra))
    record(("enc_key", enc_key, words.enc_key_meaning, _CBC_KEY_RFC, words.enc_key_extra))
    return mac_key, enc_key, words


def _cbc_hmac_tag(
    mac_key: bytes,
    words: _CbcHmacWords,
    iv: bytes,
    ciphertext: Iterable[bytes],
    length: int,
    aad: bytes,
    record: Record,
    whole: Callable[[], bytes],
) -> bytes:
    """§5.2.2.1 steps 4-6: AL, the HMAC input, the full HMAC, and T (its first half).

    The HMAC is fed part by part (``ciphertext`` may be pieces); the HMAC input
    A || IV || E || AL, a copy of the whole content, is recorded deferred: it is built only
    if someone reads that step (``whole`` gives the ciphertext then)."""
    al_record = _al_record(len(aad))
    record(al_record)
    al = al_record[1]
    record((
        "hmac_input",
        Deferred(lambda: b"".join((aad, iv, whole(), al)), len(aad) + len(iv) + length + len(al)),
        "the HMAC input: AAD || IV || ciphertext || AL", "RFC 7518 §5.2.2.1 step 5",
        _HMAC_INPUT_EXTRA,
    ))  # fmt: skip
    mac = crypto_hmac.HMAC(mac_key, _HMAC_HASHES[words.hash_name])
    mac.update(aad)
    mac.update(iv)
    for piece in ciphertext:
        mac.update(piece)
    mac.update(al)
    full = mac.finalize()
    record((
        "hmac_output", full, words.hmac_output_meaning, "RFC 7518 §5.2.2.1 step 5",
        words.hmac_output_extra,
    ))  # fmt: skip
    return full[: len(mac_key)]


def cbc_hmac_seal(
    key: bytes, iv: bytes, plaintext: bytes, aad: bytes, record: Record
) -> tuple[bytes, bytes]:
    """AES_CBC_HMAC_SHA2 encryption (§5.2.2.1), the hash chosen by the key's length:
    ``(ciphertext, tag)``, its steps recorded through ``record``."""
    mac_key, enc_key, words = _split_key(key, record)
    # PKCS #7 (RFC 5652 §6.3): 1 to 16 bytes, each holding the count. One copy of the
    # content, where the padder's update() + finalize() makes two.
    count = AES_BLOCK - len(plaintext) % AES_BLOCK
    padded = plaintext + bytes((count,)) * count
    encryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    tag = _cbc_hmac_tag(
        mac_key, words, iv, (ciphertext,), len(ciphertext), aad, record, lambda: ciphertext
    )
    return ciphertext, tag


def cbc_hmac_open(
    key: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes, record: Record
) -> bytes | str:
    """AES_CBC_HMAC_SHA2 decryption (§5.2.2.2): the plaintext (bytes), or what failed (a str)."""
    mac_key, enc_key, words = _split_key(key, record)
    expected = _cbc_hmac_tag(
        mac_key, words, iv, (ciphertext,), len(ciphertext), aad, record, lambda: ciphertext
    )
    # §5.2.2.2: compare in constant time, and decrypt nothing unless the tag verifies.
    if not hmac.compare_digest(expected, tag):
        return "the HMAC tag did not verify"
    if not ciphertext or len(ciphertext) % AES_BLOCK:
        return "the ciphertext is not a whole number of AES blocks"
    decryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    # The tag has verified, so the padding check needs no constant time: no oracle is left.
    count = padded[-1]
    if not 1 <= count <= AES_BLOCK or padded[-count:] != bytes((count,)) * count:
        return "the PKCS #7 padding is invalid"
    return padded[:-count]


def aes_key_wrap(kek: bytes, key: bytes) -> bytes:
    """RFC 3394 AES Key Wrap."""
    return keywrap.aes_key_wrap(kek, key)


def aes_key_unwrap(kek: bytes, wrapped: bytes) -> bytes | None:
    """RFC 3394 AES Key Unwrap, or None when the length or the integrity value is wrong."""
    try:
        return keywrap.aes_key_unwrap(kek, wrapped)
    except (keywrap.InvalidUnwrap, ValueError):
        return None


class CryptographyPrimitives:
    """Every primitive from pyca/cryptography (and :mod:`hmac`/:mod:`hashlib`)."""

    engine: Engine = "cryptography"

    def aes_gcm_encrypt(
        self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes, trace: Trace, prefix: str
    ) -> tuple[bytes, bytes]:
        if len(plaintext) >= STREAMING_FROM:
            encryptor = Cipher(algorithms.AES(key), modes.GCM(iv)).encryptor()
            encryptor.authenticate_additional_data(aad)
            ciphertext = encryptor.update(plaintext) + encryptor.finalize()
            return ciphertext, encryptor.tag
        return gcm_seal(key, iv, plaintext, aad)

    def aes_gcm_decrypt(
        self,
        key: bytes,
        iv: bytes,
        ciphertext: bytes,
        tag: bytes,
        aad: bytes,
        trace: Trace,
        prefix: str,
    ) -> bytes | None:
        if len(ciphertext) < STREAMING_FROM:
            return gcm_open(key, iv, ciphertext, tag, aad)
        # Nothing is returned before finalize() has checked the tag.
        decryptor = Cipher(algorithms.AES(key), modes.GCM(iv, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        try:
            return decryptor.update(ciphertext) + decryptor.finalize()
        except InvalidTag:
            return None

    def cbc_hmac_encrypt(
        self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes, trace: Trace
    ) -> tuple[bytes, bytes]:
        return cbc_hmac_seal(key, iv, plaintext, aad, trace.add_record)

    def cbc_hmac_decrypt(
        self, key: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes, trace: Trace
    ) -> bytes | str:
        return cbc_hmac_open(key, iv, ciphertext, tag, aad, trace.add_record)

    # ---- streaming decryption: the ciphertext arrives in pieces (a large compact token's part
    # decoded piece by piece), so its bytes never exist whole; only the plaintext is built,
    # and it is returned only after the tag has verified.

    def aes_gcm_decrypt_pieces(
        self, key: bytes, iv: bytes, pieces: Iterable[bytes], tag: bytes, aad: bytes
    ) -> bytes | None:
        """AES-GCM over ``pieces``: the plaintext, or None when the tag does not verify."""
        decryptor = Cipher(algorithms.AES(key), modes.GCM(iv, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        output = io.BytesIO()
        for piece in pieces:
            output.write(decryptor.update(piece))
        try:
            decryptor.finalize()
        except InvalidTag:
            return None  # the decrypted bytes are dropped unread
        return output.getvalue()  # the buffer itself, not a copy

    def cbc_hmac_decrypt_pieces(
        self,
        key: bytes,
        iv: bytes,
        pieces: Iterable[bytes],
        length: int,
        tag: bytes,
        aad: bytes,
        trace: Trace,
        whole: Callable[[], bytes],
    ) -> bytes | str:
        """AES_CBC_HMAC_SHA2 over ``pieces``, one pass: each piece goes to the HMAC and to
        AES-CBC. The decrypted bytes stay in a private buffer: nothing of them is looked at
        (not even the padding) or returned before the tag has verified in constant time, so
        this is §5.2.2.2's order as far as anyone outside can tell, in one pass instead of two.
        """
        mac_key, enc_key, words = _split_key(key, trace.add_record)
        decryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).decryptor()
        output = io.BytesIO()

        def both() -> Iterable[bytes]:
            for piece in pieces:
                output.write(decryptor.update(piece))
                yield piece

        expected = _cbc_hmac_tag(mac_key, words, iv, both(), length, aad, trace.add_record, whole)
        if not hmac.compare_digest(expected, tag):
            return "the HMAC tag did not verify"
        if not length or length % AES_BLOCK:
            return "the ciphertext is not a whole number of AES blocks"
        output.write(decryptor.finalize())
        with output.getbuffer() as view:
            last = bytes(view[-AES_BLOCK:])
        count = last[-1]
        if not 1 <= count <= AES_BLOCK or last[-count:] != bytes((count,)) * count:
            return "the PKCS #7 padding is invalid"
        output.truncate(length - count)
        return output.getvalue()

    def rsa_oaep_encrypt(
        self, public_key: Any, message: bytes, hash_name: str, trace: Trace
    ) -> bytes:
        result: bytes = public_key.encrypt(message, _OAEP_PADDINGS[hash_name])
        return result

    def rsa_oaep_decrypt(
        self, private_key: Any, ciphertext: bytes, hash_name: str, trace: Trace
    ) -> bytes | None:
        try:
            result: bytes = private_key.decrypt(ciphertext, _OAEP_PADDINGS[hash_name])
        except ValueError:
            return None
        return result

    def rsa_pkcs1v15_encrypt(self, public_key: Any, message: bytes, trace: Trace) -> bytes:
        result: bytes = public_key.encrypt(message, _PKCS1V15)
        return result

    def rsa_pkcs1v15_decrypt(
        self, private_key: Any, ciphertext: bytes, trace: Trace
    ) -> bytes | None:
        try:
            result: bytes = private_key.decrypt(ciphertext, _PKCS1V15)
        except ValueError:
            return None
        return result

    def aes_key_wrap(self, kek: bytes, key: bytes, trace: Trace) -> bytes:
        return aes_key_wrap(kek, key)

    def aes_key_unwrap(self, kek: bytes, wrapped: bytes, trace: Trace) -> bytes | None:
        return aes_key_unwrap(kek, wrapped)

    def concat_kdf(
        self,
        z: bytes,
        algorithm_id: str,
        apu: bytes,
        apv: bytes,
        key_bits: int,
        other_info: bytes,
        trace: Trace,
    ) -> bytes:
        return concat_kdf(z, other_info, key_bits // 8)

    def pbes2_kek(
        self,
        password: bytes,
        alg: str,
        p2s: bytes,
        p2c: int,
        salt_input: bytes,
        hash_bits: int,
        key_size: int,
        trace: Trace,
    ) -> bytes:
        kdf = PBKDF2HMAC(
            algorithm=_PBKDF2_HASHES[hash_bits](),
            length=key_size,
            salt=salt_input,
            iterations=p2c,
        )
        return kdf.derive(password)

    def ecdh(self, private_key: Any, public_key: Any) -> bytes:
        if isinstance(private_key, ec.EllipticCurvePrivateKey):
            secret: bytes = private_key.exchange(ec.ECDH(), public_key)
        else:
            secret = private_key.exchange(public_key)
        return secret


CRYPTOGRAPHY: Primitives = CryptographyPrimitives()
"""The default primitives: pyca/cryptography."""


def check_engine(engine: object) -> Engine:
    """``engine`` if it names an engine, else InputError."""
    if engine == "cryptography":
        return "cryptography"
    if engine == "from_scratch":
        return "from_scratch"
    raise InputError(
        "unknown engine",
        code="input.engine",
        expected=" or ".join(repr(name) for name in ENGINES),
        found=repr(engine)[:40],
        hint="'from_scratch' runs the teaching implementations in jwe_steps.from_scratch.",
    )


def primitives_for(engine: object, *, oaep_seed: bytes | None = None) -> Primitives:
    """The primitives of ``engine``; the from-scratch package is imported only here, on demand.

    ``oaep_seed`` (from-scratch only) fixes the RSA-OAEP seed, to make an example reproducible.
    """
    if check_engine(engine) == "cryptography":
        return CRYPTOGRAPHY
    from .from_scratch.engine import FromScratchPrimitives

    return FromScratchPrimitives(oaep_seed=oaep_seed)


__all__ = [
    "CRYPTOGRAPHY",
    "ENGINES",
    "FROM_SCRATCH",
    "OAEP_SEED_OPTION",
    "CryptographyPrimitives",
    "Engine",
    "Primitives",
    "check_engine",
    "oaep_padding",
    "primitives_for",
]
