"""Every RFC 7516 §5.1/§5.2 step number a Trace shows a learner is the right one.

The step lists below are transcribed (shortened) from RFC 7516 §5.1 (message encryption) and
§5.2 (message decryption). Each recorded ``rfc`` string that names a step of §5.1 or §5.2 must
name steps that exist, and the value recorded must be one that step produces.
"""

from __future__ import annotations

import re

import pytest

import jwe_steps
from jwe_steps import algorithms as registry

# RFC 7516 §5.1, steps 1-19.
ENCRYPTION_STEPS = {
    1: "Determine the Key Management Mode employed by the algorithm used to determine the CEK",
    2: "Key Wrapping, Key Encryption, Key Agreement with Key Wrapping: generate a random CEK",
    3: "Key Agreement: compute the agreed upon key (Direct Key Agreement: it is the CEK)",
    4: "Key Wrapping, Key Encryption, Key Agreement with Key Wrapping: encrypt the CEK",
    5: "Direct Key Agreement or Direct Encryption: the JWE Encrypted Key is empty",
    6: "Direct Encryption: the CEK is the shared symmetric key",
    7: "Compute BASE64URL(JWE Encrypted Key)",
    8: "JSON Serialization: repeat steps 1-7 for each recipient",
    9: "Generate a random JWE Initialization Vector of the size the algorithm needs",
    10: "Compute BASE64URL(JWE Initialization Vector)",
    11: "If zip: compress the plaintext; M is the compressed or the plain octets",
    12: "Create the JSON object(s) of Header Parameters that comprise the JOSE Header",
    13: "Compute the Encoded Protected Header BASE64URL(UTF8(JWE Protected Header))",
    14: "AAD = ASCII(Encoded Protected Header), or with '.' || BASE64URL(JWE AAD)",
    15: "Encrypt M with the CEK, the IV and the AAD: JWE Ciphertext and Authentication Tag",
    16: "Compute BASE64URL(JWE Ciphertext)",
    17: "Compute BASE64URL(JWE Authentication Tag)",
    18: "If a JWE AAD is present, compute BASE64URL(JWE AAD)",
    19: "Create the desired serialized output",
}

# RFC 7516 §5.2, steps 1-18.
DECRYPTION_STEPS = {
    1: "Parse the JWE representation to extract the serialized components",
    2: "Base64url-decode the protected header, encrypted key, IV, ciphertext, tag and AAD",
    3: "Verify the protected header is UTF-8 of a completely valid JSON object",
    4: "The JOSE Header: the protected header, or the union of the three (no duplicates)",
    5: "Verify that every field that must be understood is understood and supported",
    6: "Determine the Key Management Mode employed by the algorithm of 'alg'",
    7: "Verify that the JWE uses a key known to the recipient",
    8: "Key Agreement: compute the agreed upon key (Direct Key Agreement: it is the CEK)",
    9: "Key Wrapping, Key Encryption, Key Agreement with Key Wrapping: decrypt the CEK",
    10: "Direct Key Agreement or Direct Encryption: the JWE Encrypted Key must be empty",
    11: "Direct Encryption: the CEK is the shared symmetric key",
    12: "Record whether the CEK could be successfully determined for this recipient",
    13: "JSON Serialization: repeat steps 4-12 for each recipient",
    14: "Compute the Encoded Protected Header BASE64URL(UTF8(JWE Protected Header))",
    15: "AAD = ASCII(Encoded Protected Header), or with '.' || BASE64URL(JWE AAD)",
    16: "Decrypt the JWE Ciphertext with the CEK, IV, AAD and Authentication Tag",
    17: "If zip: uncompress the decrypted plaintext",
    18: "No recipient succeeded: the JWE is invalid; else output the plaintext",
}

# Which recorded values each step may produce (names as the Trace records them).
ENCRYPTION_VALUES = {
    1: {"key_management_mode"},
    2: {"cek"},
    3: {"cek"},
    4: {"encrypted_key"},
    5: {"encrypted_key"},
    6: {"cek"},
    9: {"iv"},
    11: {"plaintext", "compressed_plaintext"},
    12: {"header", "protected_header"},
    13: {"encoded_protected_header"},
    14: {"jwe_aad", "aad"},
    15: {"ciphertext", "tag"},
    19: {"token"},
}
DECRYPTION_VALUES = {
    1: {"encoded_protected_header"},
    2: {"protected_header", "encrypted_key", "iv", "ciphertext", "tag", "jwe_aad"},
    4: {"header"},
    6: {"key_management_mode"},
    8: {"cek"},
    9: {"cek"},
    10: {"cek"},
    11: {"cek"},
    15: {"aad"},
    16: {"plaintext", "compressed_plaintext"},
    17: {"plaintext"},
}

STEP_REFERENCE = re.compile(r"RFC 7516 §5\.([12]) steps? (\d+)(?:-(\d+))?")

OCT_KEYS = {"dir": None, "A128KW": 16, "A192KW": 24, "A256KW": 32, "A128GCMKW": 16,
            "A192GCMKW": 24, "A256GCMKW": 32}  # fmt: skip


def _key_for(alg: str, enc: str) -> jwe_steps.Key:
    management = registry.key_management(alg)
    if management.family == "pbes2":
        return jwe_steps.load_key(b"a demo password")
    if "oct" in management.key_types:
        size = registry.content_encryption(enc).key_size if alg == "dir" else OCT_KEYS[alg]
        return jwe_steps.load_key(bytes(range(size or 0)))
    if "RSA" in management.key_types:
        return _RSA
    return _EC


_RSA = jwe_steps.generate_key("RSA")
_EC = jwe_steps.generate_key("EC", crv="P-256")
ALL = sorted(registry.KEY_MANAGEMENT) + sorted(registry.CONTENT_ENCRYPTION)


def _traces():
    for alg in sorted(registry.KEY_MANAGEMENT):
        enc = "A128CBC-HS256" if alg.endswith("KW") else "A256GCM"
        key = _key_for(alg, enc)
        header = {"zip": "DEF"} if alg in ("A128KW", "dir", "RSA-OAEP-256") else None
        sent = jwe_steps.encrypt(
            b"steps " * 20, key, alg=alg, enc=enc, header=header, algorithms=ALL
        )
        yield alg, sent
        yield alg, jwe_steps.decrypt(sent.token, key, algorithms=ALL)
    general = jwe_steps.encrypt(
        b"x", enc="A128GCM", serialization="general", aad=b"extra",
        recipients=[{"key": bytes(16), "alg": "A128KW"}, {"key": _RSA, "alg": "RSA-OAEP"}],
    )  # fmt: skip
    yield "general", general
    yield "general", jwe_steps.decrypt(general.token, _RSA)
    scratch = jwe_steps.encrypt(b"x", _RSA, alg="RSA-OAEP-256", enc="A128GCM",
                                engine="from_scratch")  # fmt: skip
    yield "from_scratch", scratch
    yield "from_scratch", jwe_steps.decrypt(scratch.token, _RSA, engine="from_scratch")


TRACES = list(_traces())


@pytest.mark.parametrize(("label", "trace"), TRACES, ids=[f"{t.operation}-{a}" for a, t in TRACES])
def test_every_step_number_exists_and_produces_what_is_recorded(label, trace):
    cited = 0
    for step in trace.steps:
        for section, first, last in STEP_REFERENCE.findall(step.rfc):
            encrypting = section == "1"
            table = ENCRYPTION_STEPS if encrypting else DECRYPTION_STEPS
            values = ENCRYPTION_VALUES if encrypting else DECRYPTION_VALUES
            numbers = range(int(first), int(last or first) + 1)
            for number in numbers:
                assert number in table, (label, step.name, step.rfc)
                assert step.name in values.get(number, set()), (
                    f"{label}: {step.name!r} cites §5.{section} step {number} ({table[number]!r})"
                )
            cited += 1
    assert cited >= 8


def test_the_numbers_issue_12_corrected():
    sent = jwe_steps.encrypt(b"zz" * 50, bytes(16), alg="A128KW", enc="A128GCM",
                             header={"zip": "DEF"})  # fmt: skip
    assert sent.step("compressed_plaintext").rfc == "RFC 7516 §5.1 step 11"
    received = jwe_steps.decrypt(sent.token, bytes(16))
    assert received.step("header").rfc == "RFC 7516 §5.2 step 4"
    assert received.step("plaintext").rfc == "RFC 7516 §5.2 step 17"
