"""The floor: the bare `cryptography` calls plus base64url that any RSA-OAEP-256/A256GCM JWE
implementation must make. jwe_steps is measured against this, in the same process."""

from __future__ import annotations

import base64
import json
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

OAEP_SHA256 = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
HEADER = base64.urlsafe_b64encode(b'{"alg":"RSA-OAEP-256","enc":"A256GCM"}').rstrip(b"=").decode()


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def floor_encrypt(plaintext: bytes, public_key) -> str:
    cek, iv = os.urandom(32), os.urandom(12)
    encrypted_key = public_key.encrypt(cek, OAEP_SHA256)
    sealed = AESGCM(cek).encrypt(iv, plaintext, HEADER.encode("ascii"))
    return ".".join([HEADER, b64e(encrypted_key), b64e(iv), b64e(sealed[:-16]), b64e(sealed[-16:])])


def floor_decrypt(token: str, private_key) -> bytes:
    header, encrypted_key, iv, ciphertext, tag = token.split(".")
    json.loads(b64d(header))  # a recipient must at least read alg/enc
    cek = private_key.decrypt(b64d(encrypted_key), OAEP_SHA256)
    return AESGCM(cek).decrypt(b64d(iv), b64d(ciphertext) + b64d(tag), header.encode("ascii"))
