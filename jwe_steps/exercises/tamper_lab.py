"""Exercises for notebooks/07_tamper_lab.ipynb.

The lab token is made the same way as in the notebook: ``A256KW`` + ``A256GCM`` with a fixed
DEMO key, CEK and IV, so it is the same on every run (AES key wrap is deterministic).

q1 and q3 ask where ``jwe_steps`` rejects a tampered token, so their checkers run
``jwe_steps.explain`` on it (q1 on two tokens, an IV with a bit flipped and an IV one byte
short, so its answer is a pair; q3 also requires the other four parts unchanged and the header
still a JSON object). q2 is checked against ``cryptography``'s AES-CTR, counting from J0 + 1:
the answer is the ciphertext that makes a receiver that skips the tag read a message the
attacker chose (the notebook shows one bit flipped, not a message rewritten).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ..b64 import b64url_decode, b64url_encode
from ..errors import JWEError, Stage
from ..explanation import explain
from ..keys import Key, load_key
from ..pipeline import encrypt
from . import Exercise, equals, pair_of

STAGES = frozenset(str(stage) for stage in Stage)

MESSAGE = b"Attack at dawn"
FORGED_MESSAGE = b"Attack at dusk"  # question 2: what the attacker wants the receiver to read
# DEMO values, published here and in the notebook: never use them for real data.
LAB_KEY_BYTES = bytes(range(32))
LAB_CEK = bytes(range(100, 132))
LAB_IV = bytes(range(200, 212))


def lab_key() -> Key:
    """The lab's DEMO key: a 256-bit AES key-wrapping key whose bytes are 0, 1, ..., 31."""
    loaded = load_key({"kty": "oct", "k": b64url_encode(LAB_KEY_BYTES), "kid": "demo-tamper-lab"})
    return replace(loaded, demo=True)


def lab_token() -> str:
    """The lab's token: MESSAGE encrypted with A256KW + A256GCM and the fixed CEK and IV."""
    trace = encrypt(MESSAGE, lab_key(), alg="A256KW", enc="A256GCM", cek=LAB_CEK, iv=LAB_IV)
    return str(trace.token)


def _flip(token: str, index: int, byte: int, bit: int) -> str:
    parts = token.split(".")
    data = bytearray(b64url_decode(parts[index]))
    data[byte] ^= 1 << bit
    parts[index] = b64url_encode(bytes(data))
    return ".".join(parts)


def _shorten(token: str, index: int) -> str:
    parts = token.split(".")
    parts[index] = b64url_encode(b64url_decode(parts[index])[:-1])
    return ".".join(parts)


def _stages_after_iv_changes() -> tuple[str, str]:
    """Where explain rejects the lab token with an IV bit flipped, and with an IV byte cut."""
    flipped, shortened = _flip(lab_token(), 2, 0, 0), _shorten(lab_token(), 2)
    return (
        str(explain(flipped, lab_key()).failed_stage),
        str(explain(shortened, lab_key()).failed_stage),
    )


def _ctr_ciphertext_of_forged_message() -> bytes:
    # GCM's encryption is AES in counter mode starting at counter 2 (J0 + 1, NIST SP 800-38D).
    # Decrypting is the same XOR: the ciphertext a receiver that skipped the tag reads as the
    # forged message is that message encrypted this way.
    counter = LAB_IV + b"\x00\x00\x00\x02"
    encryptor = Cipher(algorithms.AES(LAB_CEK), modes.CTR(counter)).encryptor()
    return encryptor.update(FORGED_MESSAGE) + encryptor.finalize()


def _forgery_mistake(answer: bytes) -> str:
    if answer == b64url_decode(lab_token().split(".")[3]):
        return "That is the lab token's ciphertext as it is: it still reads 'Attack at dawn'."
    if answer == FORGED_MESSAGE:
        return "That is the message itself: the receiver decrypts what you give it."
    return "A receiver that skipped the tag does not read 'Attack at dusk' from that ciphertext."


def _check_header_forgery(answer: Any) -> str | None:
    if not isinstance(answer, str):
        return f"Expected a str (a token), got a {type(answer).__name__}."
    original = lab_token().split(".")
    parts = answer.split(".")
    if len(parts) != 5:
        return f"A compact JWE has 5 parts; yours has {len(parts)}."
    if parts[1:] != original[1:]:
        return "Change only the first part (the protected header); keep the other four as they are."
    if parts[0] == original[0]:
        return "The header part is unchanged: alter at least one bit of it."
    try:
        header = json.loads(b64url_decode(parts[0]).decode("utf-8"))
    except (JWEError, UnicodeDecodeError, ValueError):
        return "Your header is no longer valid JSON, so the header stage rejects it. Keep it JSON."
    if not isinstance(header, dict):
        return "Your header must still be a JSON object."
    result = explain(answer, lab_key())
    if result.ok:
        return "That token decrypts: it was not rejected at all."
    if result.failed_stage != "content_decryption":
        return (
            f"It is rejected at stage '{result.failed_stage}', not at content_decryption: keep "
            "alg and enc as they were."
        )
    return None


q1 = Exercise(
    1,
    "Flip bit 0 of the first byte of the lab token's IV; separately, cut the last byte off its "
    "IV. At which stage does explain() reject each? (a pair of str: (the flipped IV's stage, "
    "the shortened IV's stage))",
    pair_of(
        _stages_after_iv_changes,
        (STAGES, STAGES),
        "(the flipped IV's stage, the shortened IV's stage), each a stage name",
    ),
    "The IV's value is not checked on its own: it only feeds AES-GCM, so which check fails when "
    "AES-GCM is given a different IV? Its length, though, anyone can check before decrypting.",
    "from jwe_steps.exercises.tamper_lab import lab_key, lab_token\n"
    "from jwe_steps import explain\n"
    "from jwe_steps.b64 import b64url_decode, b64url_encode\n"
    "from jwe_steps.widgets import flip_bit\n"
    "flipped = flip_bit(lab_token(), 'iv', 0, 0)\n"
    "parts = lab_token().split('.')\n"
    "parts[2] = b64url_encode(b64url_decode(parts[2])[:-1])\n"
    "shortened = '.'.join(parts)\n"
    "answer = (\n"
    "    explain(flipped, lab_key()).failed_stage,\n"
    "    explain(shortened, lab_key()).failed_stage,\n"
    ")",
)

q2 = Exercise(
    2,
    "Without its tag, AES-GCM is AES in counter mode, and an attacker who knows the message "
    "can rewrite it without the key. Change the lab token's ciphertext (the bytes of its fourth "
    "part) so that a receiver that skipped the tag reads b'Attack at dusk'. (bytes)",
    equals(_ctr_ciphertext_of_forged_message, _forgery_mistake),
    "In counter mode, ciphertext = plaintext XOR keystream, byte by byte. XOR each ciphertext "
    "byte with the old plaintext byte and the new one: the keystream stays, the message changes.",
    "from jwe_steps.exercises.tamper_lab import lab_token\n"
    "from jwe_steps.b64 import b64url_decode\n"
    "ciphertext = b64url_decode(lab_token().split('.')[3])\n"
    "answer = bytes(c ^ old ^ new for c, old, new in zip(ciphertext, b'Attack at dawn', "
    "b'Attack at dusk'))",
)

q3 = Exercise(
    3,
    "Make a tampered lab token whose protected header is still a valid JSON object (only the "
    "first part changed), yet which is rejected at content_decryption. Why there? (a str: the "
    "token)",
    _check_header_forgery,
    "Change a character inside the kid value: JSON stays valid, alg and enc stay the same, but "
    "the AAD is the header part's text, and the tag covers the AAD.",
    "from jwe_steps.exercises.tamper_lab import lab_token\n"
    "from jwe_steps.widgets import flip_bit\n"
    "from jwe_steps.b64 import b64url_decode\n"
    "token = lab_token()\n"
    "header = b64url_decode(token.split('.')[0])\n"
    "byte = header.index(b'tamper')  # a letter inside the kid value\n"
    "answer = flip_bit(token, 'protected_header', byte, 0)",
)

EXERCISES = [q1, q2, q3]
