"""The widgets' logic, headless: set control values, assert what the widget shows."""

from __future__ import annotations

import dataclasses
import json

import pytest

import jwe_steps
from jwe_steps import algorithms as registry
from jwe_steps.b64 import b64url_decode
from jwe_steps.examples import RFC7516_A1
from jwe_steps.examples.rfc7638 import RFC7638_JWK, RFC7638_THUMBPRINT
from jwe_steps.widgets import (
    DecryptionStepper,
    Explorer,
    KeyInspector,
    TamperLab,
    cross_check,
    demo_key,
    flip_bit,
)

CBC_HS = "A128CBC-HS256"


# ---------------------------------------------------------------- Explorer


def test_explorer_rerenders_on_every_change():
    explorer = Explorer("first", alg="RSA-OAEP-256", enc="A256GCM")
    assert explorer.trace is not None and explorer.trace["plaintext"] == b"first"
    before = explorer.output.value
    assert "Token anatomy" in before

    explorer.payload.value = "second, longer payload"
    assert explorer.trace["plaintext"] == b"second, longer payload"
    assert explorer.output.value != before

    explorer.header.value = json.dumps({"cty": "text/plain"})
    assert explorer.trace.header["cty"] == "text/plain"

    explorer.alg.value = "A128KW"
    assert explorer.trace.header["alg"] == "A128KW"
    assert len(explorer.trace["encrypted_key"]) == explorer.trace["cek"].__len__() + 8
    assert "oct 128-bit" in explorer.key_status.value and "DEMO" in explorer.key_status.value

    explorer.enc.value = "A128GCM"
    assert len(explorer.trace["cek"]) == 16

    for view, marker in (("bytes", "jwe-bytes"), ("steps", "jwe-card"), ("data flow", "<svg")):
        explorer.view.value = view
        assert marker in explorer.output.value
    assert "payload=22 bytes" in repr(explorer)


def test_explorer_shows_input_errors_instead_of_raising():
    explorer = Explorer("x")
    explorer.header.value = '{"cty": '
    assert explorer.trace is None and "jwe-message" in explorer.output.value
    explorer.header.value = "{}"
    explorer.key.value = '{"kty": "RSA", "n": "AQAB", "e": "AQAB"}'  # far too small
    assert explorer.trace is None
    assert "jwe-failure" in explorer.output.value and "key" in explorer.output.value
    explorer.key.value = ""
    assert explorer.trace is not None


def test_explorer_with_fixed_values_reproduces_the_rfc_ciphertext():
    example = RFC7516_A1
    explorer = Explorer(
        example.plaintext.decode(),
        alg=example.alg,
        enc=example.enc,
        key=example.demo_key().public_key(),
        cek=example.cek,
        iv=example.iv,
    )
    assert explorer.trace is not None
    assert explorer.trace["ciphertext"] == example.ciphertext
    assert explorer.trace["tag"] == example.tag
    assert "given by the notebook" in explorer.key_status.value


# ---------------------------------------------------------------- Decryption stepper


def test_stepper_walks_forward_and_back():
    key = demo_key("RSA")
    trace = jwe_steps.encrypt(b"step by step", key.public_key(), alg="RSA-OAEP", enc="A128GCM")
    stepper = DecryptionStepper(trace.token, key)
    assert stepper.explanation is not None and stepper.explanation.ok
    assert stepper.current == "token" and stepper.back.disabled
    shown = []
    while not stepper.next.disabled:
        stepper.next.click()
        shown.append(stepper.current)
        assert f'data-step="{stepper.current}"' in stepper.output.value
    assert shown[-1] == "plaintext"
    assert stepper.output.value.count('class="jwe-current"') == 1  # the diagram marks the step
    assert "next steps" not in stepper.output.value  # at the last step everything is reached
    assert stepper.count == len(stepper.explanation.steps)  # it decrypts: no rejection step
    stepper.go(1)
    assert "next steps" in stepper.output.value  # further stages are still ahead
    stepper.go(len(shown))  # the last step (shown lists positions 1..n)
    stepper.back.click()
    assert stepper.current == shown[-2]
    assert "decrypts" in repr(stepper)


def test_stepper_ends_at_the_rejection_for_a_tampered_token():
    key = demo_key("RSA")
    token = jwe_steps.encrypt(b"x", key.public_key(), alg="RSA-OAEP", enc="A128GCM").token
    stepper = DecryptionStepper(flip_bit(token, "tag", 0, 0), key)
    stepper.go(stepper.count - 1)
    assert stepper.current == "rejected"
    assert "jwe-failure" in stepper.output.value and "content_decryption" in stepper.output.value


def test_stepper_reloads_when_a_token_is_pasted():
    key = demo_key("RSA")
    stepper = DecryptionStepper("", key)
    assert stepper.explanation is None and "paste a token" in stepper.output.value
    token = jwe_steps.encrypt(b"pasted", key.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    stepper.token.value = token
    assert stepper.explanation is not None and stepper.explanation.trace.plaintext == b"pasted"
    stepper.token.value = "a.b.c"
    assert stepper.explanation is not None and stepper.explanation.failed_stage == "serialization"


# ---------------------------------------------------------------- Tamper lab


def _encs():
    encs = ["A256GCM"]
    if CBC_HS in registry.CONTENT_ENCRYPTION:
        encs.append(CBC_HS)
    return encs


@pytest.mark.parametrize("enc", ["A256GCM", CBC_HS])
def test_tamper_lab_every_part_is_rejected(enc):
    if enc not in registry.CONTENT_ENCRYPTION:
        pytest.skip(f"{enc} is not registered: jwe_steps/algorithms/aes_cbc_hmac.py is missing")
    lab = TamperLab("Attack at dawn", enc=enc)
    assert lab.original is not None
    expected = {
        "protected_header": "header",  # bit 0 of '{' makes 'z': no longer JSON
        "encrypted_key": "key_management",  # AES key unwrap's integrity check fails
        "iv": "content_decryption",
        "ciphertext": "content_decryption",
        "tag": "content_decryption",
    }
    for name, stage in expected.items():
        lab.part.value = name
        assert lab.rejected_stage == stage, name
        assert f"Rejected at stage “{stage}”" in lab.output.value
    assert dict(lab.summary_rows()) == expected
    # A bit in the middle of the header changes the AAD: the tag check catches it.
    lab.part.value = "protected_header"
    header = lab.original["protected_header"]
    lab.byte.value = header.index(b"A256KW") + 3
    lab.bit.value = 1
    assert lab.rejected_stage in {"algorithm", "content_decryption"}


def test_tamper_lab_controls_change_what_is_shown():
    lab = TamperLab()
    lab.part.value = "ciphertext"
    before = lab.output.value
    lab.bit.value = 5
    assert lab.output.value != before and "bit 5 of byte 0" in lab.output.value
    size = len(lab.original["ciphertext"])
    lab.byte.value = size + 10  # clamped to the last byte
    assert lab.byte.value == size - 1
    original_part = str(lab.original.token).split(".")[3]
    tampered_part = lab.tampered.split(".")[3]
    assert b64url_decode(original_part)[-1] ^ b64url_decode(tampered_part)[-1] == 1 << 5


def test_tamper_lab_replace_mode_reports_base64_and_length_problems():
    lab = TamperLab()
    lab.mode.value = "replace the part"
    lab.part.value = "iv"
    lab.new_value.value = "not*base64"
    assert lab.rejected_stage == "base64url"
    lab.new_value.value = "AAAA"  # 3 bytes: the IV length check stops it
    assert lab.rejected_stage == "iv"
    lab.part.value = "tag"
    lab.new_value.value = ""
    assert lab.rejected_stage in {"tag", "serialization"}


def test_tamper_lab_is_reproducible_and_says_what_it_did():
    first, second = TamperLab(), TamperLab()
    assert first.original.token == second.original.token
    assert repr(first) == (
        "TamperLab(A256KW + A256GCM: flip bit 0 of byte 0 of ciphertext -> "
        "rejected at content_decryption)"
    )


def test_tamper_lab_with_an_rsa_key():
    lab = TamperLab(alg="RSA-OAEP-256")
    lab.part.value = "encrypted_key"
    assert lab.rejected_stage == "key_management"


# ---------------------------------------------------------------- Key inspector


def test_key_inspector_public_and_private_members():
    inspector = KeyInspector(choice="RSA 2048")
    members = {row["name"]: row for row in inspector.members()}
    assert members["n"]["bytes"] == 256 and not members["n"]["private"]
    assert members["d"]["private"]
    assert (
        "hidden" in inspector.output.value and members["d"]["value"] not in inspector.output.value
    )
    inspector.reveal.value = True
    assert members["d"]["value"][:45] in inspector.output.value
    inspector.half.value = "public half"
    assert "d" not in {row["name"] for row in inspector.members()}
    assert "cannot decrypt" in inspector.output.value


def test_key_inspector_thumbprint_matches_rfc7638_example():
    # RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint.
    jwk = RFC7638_JWK
    inspector = KeyInspector(jwk)
    assert RFC7638_THUMBPRINT in inspector.output.value
    assert '{"e":"AQAB","kty":"RSA","n":"0vx7' in inspector.thumbprint_input()
    assert "public key" in repr(inspector)


@pytest.mark.parametrize("choice", ["EC P-256", "OKP X25519", "oct 128"])
def test_key_inspector_each_key_type(choice):
    inspector = KeyInspector(choice=choice)
    assert inspector.key is not None and "DEMO key" in inspector.output.value
    assert "RFC 7638 thumbprint" in inspector.output.value
    if choice == "oct 128":
        inspector.half.value = "public half"
        assert inspector.key is None and "no public half" in inspector.output.value


def test_key_inspector_pasted_jwk():
    inspector = KeyInspector()
    inspector.choice.value = "paste a JWK"
    assert inspector.key is None and "paste a JWK" in inspector.output.value
    inspector.jwk.value = json.dumps(jwe_steps.generate_key("EC", crv="P-384").to_jwk())
    assert inspector.key is not None and inspector.key.curve == "P-384"
    inspector.jwk.value = "{not json"
    assert inspector.key is None


# ---------------------------------------------------------------- independent checks


@pytest.mark.parametrize("enc", ["A256GCM", CBC_HS])
def test_explorer_badges_values_checked_by_the_from_scratch_engine(enc):
    if enc not in registry.CONTENT_ENCRYPTION:
        pytest.skip(f"{enc} is not registered: jwe_steps/algorithms/aes_cbc_hmac.py is missing")
    explorer = Explorer("checked", alg="A128KW", enc=enc)
    checked = {result.name: result.equal for result in explorer.checks}
    assert checked == {"aad": True, "ciphertext": True, "tag": True, "encrypted_key": True}
    explorer.view.value = "steps"
    assert explorer.output.value.count('data-verified="true"') == 4
    explorer.check.value = False
    assert explorer.checks == [] and 'data-verified="true"' not in explorer.output.value


def test_cross_check_catches_a_wrong_recorded_value():
    key = demo_key("oct", size=128)
    trace = jwe_steps.encrypt(b"checked", key, alg="A128KW", enc="A128GCM")
    index = next(i for i, step in enumerate(trace.steps) if step.name == "tag")
    wrong = bytes([trace["tag"][0] ^ 1]) + trace["tag"][1:]
    trace.steps[index] = dataclasses.replace(trace.steps[index], value=wrong)
    results = {result.name: result for result in cross_check(trace, key)}
    assert not results["tag"] and results["tag"].differing == (0,)
    assert results["ciphertext"]
