"""The floor: the bare `cryptography` calls plus base64url and JSON that any JWE implementation
must make for a compact token. jwe_steps and the peers are measured against this, in one process.

Three algorithm pairs, each an encrypt and a decrypt function:

* RSA-OAEP-256 + A256GCM: OAEP-encrypt a random CEK, AES-GCM the content.
* RSA-OAEP-256 + A128CBC-HS256: the same CEK transport, then AES-CBC + HMAC-SHA-256 (RFC 7518
  §5.2.2), the tag checked before anything is decrypted.
* ECDH-ES+A256KW + A256GCM (P-256): an ephemeral key pair, ECDH, the Concat KDF (one SHA-256
  round), AES key wrap of a random CEK, the ephemeral public key sent as `epk`.
* the signed-then-encrypted request (a nested JWT): the claims as JSON, a PS256 JWS over them
  (RSASSA-PSS with SHA-256, a 32-byte salt), that JWS as the content of RSA-OAEP-256 + A256GCM
  with `cty: "JWT"`; the recipient decrypts, verifies the signature and parses the claims.

Nothing here is validated beyond what the primitives check; the floor is a lower bound, not a
usable implementation.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import struct
from typing import Any

from cryptography.hazmat.primitives import hashes, keywrap, padding
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

OAEP_SHA256 = asym_padding.OAEP(
    mgf=asym_padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None
)


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# AES-GCM through the cheapest interface for the size: the one-shot AESGCM call for small
# content; for large content the streaming interface, which takes and gives the tag apart from
# the ciphertext and so saves a copy of the whole content (fresh pages, at these sizes).
STREAMING_FROM = 128 * 1024


def gcm_seal(cek: bytes, iv: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    if len(plaintext) >= STREAMING_FROM:
        encryptor = Cipher(algorithms.AES(cek), modes.GCM(iv)).encryptor()
        encryptor.authenticate_additional_data(aad)
        return encryptor.update(plaintext) + encryptor.finalize(), encryptor.tag
    sealed = AESGCM(cek).encrypt(iv, plaintext, aad)
    return sealed[:-16], sealed[-16:]


def gcm_open(cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes) -> bytes:
    if len(ciphertext) >= STREAMING_FROM:
        decryptor = Cipher(algorithms.AES(cek), modes.GCM(iv, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(ciphertext) + decryptor.finalize()
    return AESGCM(cek).decrypt(iv, ciphertext + tag, aad)


def _header(members: dict[str, Any]) -> str:
    return b64e(json.dumps(members, separators=(",", ":")).encode())


HEADER = _header({"alg": "RSA-OAEP-256", "enc": "A256GCM"})
HEADER_CBC = _header({"alg": "RSA-OAEP-256", "enc": "A128CBC-HS256"})
HEADER_NESTED = _header({"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "JWT"})


# ------------------------------------------------------------- RSA-OAEP-256 + A256GCM


def floor_encrypt(plaintext: bytes, public_key: Any, header: str = HEADER) -> str:
    cek, iv = os.urandom(32), os.urandom(12)
    encrypted_key = public_key.encrypt(cek, OAEP_SHA256)
    ciphertext, tag = gcm_seal(cek, iv, plaintext, header.encode("ascii"))
    return ".".join([header, b64e(encrypted_key), b64e(iv), b64e(ciphertext), b64e(tag)])


def floor_decrypt(token: str, private_key: Any) -> bytes:
    header, encrypted_key, iv, ciphertext, tag = token.split(".")
    json.loads(b64d(header))  # a recipient must at least read alg/enc
    cek = private_key.decrypt(b64d(encrypted_key), OAEP_SHA256)
    return gcm_open(cek, b64d(iv), b64d(ciphertext), b64d(tag), header.encode("ascii"))


# ------------------------------------------------------- RSA-OAEP-256 + A128CBC-HS256


def _cbc_tag(mac_key: bytes, aad: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    mac = crypto_hmac.HMAC(mac_key, hashes.SHA256())
    for part in (aad, iv, ciphertext, struct.pack(">Q", 8 * len(aad))):
        mac.update(part)
    return mac.finalize()[:16]


def floor_encrypt_cbc(plaintext: bytes, public_key: Any) -> str:
    cek, iv = os.urandom(32), os.urandom(16)
    encrypted_key = public_key.encrypt(cek, OAEP_SHA256)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(cek[16:]), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    tag = _cbc_tag(cek[:16], HEADER_CBC.encode("ascii"), iv, ciphertext)
    return ".".join([HEADER_CBC, b64e(encrypted_key), b64e(iv), b64e(ciphertext), b64e(tag)])


def floor_decrypt_cbc(token: str, private_key: Any) -> bytes:
    header, encrypted_key, encoded_iv, encoded_ciphertext, encoded_tag = token.split(".")
    json.loads(b64d(header))
    cek = private_key.decrypt(b64d(encrypted_key), OAEP_SHA256)
    iv, ciphertext = b64d(encoded_iv), b64d(encoded_ciphertext)
    if not hmac.compare_digest(
        _cbc_tag(cek[:16], header.encode("ascii"), iv, ciphertext), b64d(encoded_tag)
    ):
        raise ValueError("tag")
    decryptor = Cipher(algorithms.AES(cek[16:]), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


# ------------------------------------------------------ ECDH-ES+A256KW + A256GCM, P-256


def _other_info(alg: str, key_bits: int) -> bytes:
    name = alg.encode("ascii")
    # AlgorithmID, empty PartyUInfo and PartyVInfo, SuppPubInfo (RFC 7518 §4.6.2).
    return struct.pack(">I", len(name)) + name + bytes(8) + struct.pack(">I", key_bits)


_KW_INFO = _other_info("ECDH-ES+A256KW", 256)


def _kek(z: bytes) -> bytes:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"\x00\x00\x00\x01" + z + _KW_INFO)
    return digest.finalize()


def _coordinate(value: int) -> str:
    return b64e(value.to_bytes(32, "big"))


def floor_encrypt_ecdh(plaintext: bytes, public_key: Any) -> str:
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    numbers = ephemeral.public_key().public_numbers()
    epk = {"kty": "EC", "crv": "P-256", "x": _coordinate(numbers.x), "y": _coordinate(numbers.y)}
    header = _header({"alg": "ECDH-ES+A256KW", "enc": "A256GCM", "epk": epk})
    kek = _kek(ephemeral.exchange(ec.ECDH(), public_key))
    cek, iv = os.urandom(32), os.urandom(12)
    encrypted_key = keywrap.aes_key_wrap(kek, cek)
    ciphertext, tag = gcm_seal(cek, iv, plaintext, header.encode("ascii"))
    return ".".join([header, b64e(encrypted_key), b64e(iv), b64e(ciphertext), b64e(tag)])


def floor_decrypt_ecdh(token: str, private_key: Any) -> bytes:
    header, encrypted_key, iv, ciphertext, tag = token.split(".")
    epk = json.loads(b64d(header))["epk"]
    ephemeral = ec.EllipticCurvePublicNumbers(
        int.from_bytes(b64d(epk["x"]), "big"), int.from_bytes(b64d(epk["y"]), "big"), ec.SECP256R1()
    ).public_key()
    kek = _kek(private_key.exchange(ec.ECDH(), ephemeral))
    cek = keywrap.aes_key_unwrap(kek, b64d(encrypted_key))
    return gcm_open(cek, b64d(iv), b64d(ciphertext), b64d(tag), header.encode("ascii"))


# ------------------------------------- PS256 inside RSA-OAEP-256 + A256GCM (a nested JWT)

PSS_SHA256 = asym_padding.PSS(mgf=asym_padding.MGF1(hashes.SHA256()), salt_length=32)
JWS_HEADER = _header({"alg": "PS256", "typ": "JWT"})


def floor_sign_then_encrypt(claims: dict[str, Any], signing_key: Any, public_key: Any) -> str:
    payload = b64e(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    signing_input = f"{JWS_HEADER}.{payload}".encode("ascii")
    signature = signing_key.sign(signing_input, PSS_SHA256, hashes.SHA256())
    return floor_encrypt(signing_input + b"." + b64e(signature).encode("ascii"), public_key,
                         HEADER_NESTED)  # fmt: skip


def floor_decrypt_then_verify(token: str, private_key: Any, verifying_key: Any) -> Any:
    header, payload, signature = floor_decrypt(token, private_key).split(b".")
    verifying_key.verify(
        b64d(signature.decode("ascii")), header + b"." + payload, PSS_SHA256, hashes.SHA256()
    )
    return json.loads(b64d(payload.decode("ascii")))
