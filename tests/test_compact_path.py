"""The compact path (jwe_steps/compact_path.py) records exactly what the general path records,
refuses exactly what it refuses (same codes), and its memos cannot be fooled."""

from __future__ import annotations

import dataclasses
import os

import pytest
from conftest import raises_code

import jwe_steps
from jwe_steps import algorithms as registry
from jwe_steps import compact_path, pipeline
from jwe_steps.b64 import b64url_decode, b64url_encode
from jwe_steps.errors import JWEError
from jwe_steps.tamper import flip_bit
from jwe_steps.trace import DecryptTrace

ENCS = sorted(registry.CONTENT_ENCRYPTION)
ALGS = sorted(set(registry.KEY_MANAGEMENT) - {"RSA1_5"})


@pytest.fixture(scope="module")
def keys(keys_by_kind):
    return keys_by_kind


def pair(alg: str, enc: str, keys) -> tuple[jwe_steps.Key, jwe_steps.Key, dict | None]:
    """(encryption key, decryption key, header) for one alg/enc."""
    if alg.startswith("RSA"):
        return keys["RSA"].public_key(), keys["RSA"], None
    if alg.startswith("ECDH-ES"):
        return keys["EC"].public_key(), keys["EC"], None
    if alg.startswith("PBES2"):
        return keys["password"], keys["password"], {"p2c": 1000}
    if alg == "dir":
        size = 8 * registry.content_encryption(enc).key_size
        return keys[size], keys[size], None
    bits = int(alg[1:4])
    return keys[bits], keys[bits], None


def described(trace) -> list[tuple]:
    """Each step without its value: what it is, where the RFC says it, how it was computed."""
    return [(s.name, s.meaning, s.rfc, s.inputs, s.operation, s.detail) for s in trace.steps]


def general_decrypt(token, key, **options) -> DecryptTrace:
    trace = DecryptTrace()
    pipeline.perform_decrypt(token, key, trace, reveal=False, **options)
    return trace


@pytest.fixture()
def general_encrypts(monkeypatch):
    """Counts the calls that reach the general path's encryption."""
    calls = []
    real = pipeline.perform_encrypt

    def counting(*args, **kwargs):
        calls.append(kwargs.get("alg"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "perform_encrypt", counting)
    return calls


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("alg", ALGS)
def test_encrypting_records_the_steps_the_general_path_records(alg, enc, keys, general_encrypts):
    sender, receiver, header = pair(alg, enc, keys)
    sender = dataclasses.replace(sender)  # a Key of its own: nothing remembered on it yet
    first = jwe_steps.encrypt(b"the same message", sender, alg=alg, enc=enc, header=header)
    second = jwe_steps.encrypt(b"the same message", sender, alg=alg, enc=enc, header=header)
    direct = registry.key_management(alg).generates_cek
    assert len(general_encrypts) == (2 if direct else 1)  # dir, ECDH-ES: always the general path
    assert described(second) == described(first)
    assert second.header == first.header or {"epk", "iv", "tag", "p2s"} & set(first.header)
    for name in ("plaintext", "header", "protected_header", "encoded_protected_header", "aad"):
        if not {"epk", "iv", "p2s"} & set(first.header):  # these vary per token
            assert second[name] == first[name], name
    assert jwe_steps.decrypt(second.token, receiver).plaintext == b"the same message"


@pytest.mark.parametrize("alg", ["A128KW", "A256GCMKW", "RSA-OAEP-256"])
def test_with_the_same_random_values_the_token_is_the_same(alg, keys, monkeypatch):
    sender, receiver, header = pair(alg, "A256GCM", keys)
    jwe_steps.encrypt(b"warm", sender, alg=alg, enc="A256GCM", header=header)  # the plan is kept
    cek, iv = os.urandom(32), os.urandom(12)
    # The fast path draws the CEK and the IV from os.urandom, as generate_cek / generate_iv do.
    monkeypatch.setattr(compact_path.os, "urandom", {32: cek, 12: iv}.__getitem__)
    fast = jwe_steps.encrypt(b"message", sender, alg=alg, enc="A256GCM", header=header)
    monkeypatch.undo()
    general = jwe_steps.encrypt(
        b"message", sender, alg=alg, enc="A256GCM", header=header, cek=cek, iv=iv
    )
    for fast_step, general_step in zip(fast.steps, general.steps, strict=True):
        random_per_call = {"encrypted_key", "token", "key_encryption_parameters"}
        if alg == "RSA-OAEP-256" and fast_step.name in random_per_call:
            continue  # OAEP draws its own seed
        if alg == "A256GCMKW" and fast_step.name not in {"cek", "iv", "plaintext"}:
            continue  # the key-wrap IV is drawn by the algorithm itself
        assert fast_step == general_step, fast_step.name
    assert jwe_steps.decrypt(fast.token, receiver).plaintext == b"message"


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("alg", ALGS)
def test_decrypting_records_the_steps_the_general_path_records(alg, enc, keys):
    sender, receiver, header = pair(alg, enc, keys)
    token = jwe_steps.encrypt(b"a message", sender, alg=alg, enc=enc, header=header).token
    general = general_decrypt(token, receiver)
    fast = compact_path.decrypt_compact(token, receiver, None, None)
    if alg.startswith("PBES2"):
        assert fast is None  # its work cap: the general path
        return
    assert fast is not None
    assert fast.steps == general.steps
    assert fast.header == general.header and fast.plaintext == general.plaintext == b"a message"


def codes(token, key, **options) -> tuple[str | None, str | None]:
    """The code the public decrypt raises, and the code the general path raises."""
    found = []
    for run in (jwe_steps.decrypt, general_decrypt):
        try:
            run(token, key, **options)
            found.append(None)
        except JWEError as error:
            found.append(error.code)
    return found[0], found[1]


def test_every_broken_token_is_refused_with_the_general_paths_code(keys):
    rsa, ec = keys["RSA"], keys["EC"]
    token = jwe_steps.encrypt(b"m", rsa.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    header, encrypted_key, iv, ciphertext, tag = token.split(".")
    other = jwe_steps.generate_key("RSA")  # a DEMO key
    cases = {
        "tag": (flip_bit(token, "tag", 0, 0), rsa, {}),
        "ciphertext": (flip_bit(token, "ciphertext", 0, 0), rsa, {}),
        "wrong key": (token, other, {}),
        "EC key for RSA": (token, ec, {}),
        "public key": (token, rsa.public_key(), {}),
        "not allowed": (token, rsa, {"algorithms": ["RSA-OAEP", "A256GCM"]}),
        "half a list": (token, rsa, {"algorithms": ["RSA-OAEP-256"]}),
        "padding": (".".join([header, encrypted_key, iv + "=", ciphertext, tag]), rsa, {}),
        "iv length": (".".join([header, encrypted_key, iv[:-4], ciphertext, tag]), rsa, {}),
        "tag length": (".".join([header, encrypted_key, iv, ciphertext, tag[:-4]]), rsa, {}),
        "empty tag": (".".join([header, encrypted_key, iv, ciphertext, ""]), rsa, {}),
        "four parts": (".".join([header, encrypted_key, iv, ciphertext]), rsa, {}),
        "bad key part": (".".join([header, encrypted_key[:-2] + "$$", iv, ciphertext, tag]), rsa, {}),
        "short key part": (".".join([header, encrypted_key[:40], iv, ciphertext, tag]), rsa, {}),
        "too large": (token, rsa, {"limits": jwe_steps.Limits(max_token_bytes=100)}),
        "signing key": (token, jwe_steps.load_key({**rsa.to_jwk(private=True), "use": "sig"}), {}),
        "bound to A128KW": (token, jwe_steps.load_key({**rsa.to_jwk(private=True), "alg": "A128KW"}), {}),
    }  # fmt: skip
    for broken in ("eyJhbGciOiJSU0EtT0FFUC0yNTYifQ", "bm90IGpzb24", "eyJhbGciOjF9", ""):
        cases[f"header {broken}"] = (
            ".".join([broken, encrypted_key, iv, ciphertext, tag]),
            rsa,
            {},
        )
    for name, (broken, key, options) in cases.items():
        public, general = codes(broken, key, **options)
        assert public is not None, name
        assert public == general, name


def test_a_wrong_key_and_an_altered_tag_fail_alike_on_the_compact_path(keys):
    rsa = keys["RSA"]
    token = jwe_steps.encrypt(b"m", rsa.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    other = jwe_steps.generate_key("RSA")  # a DEMO key
    for broken, key in ((flip_bit(token, "tag", 0, 0), rsa), (token, other)):
        with raises_code("decryption.failed"):
            compact_path.decrypt_compact(broken, key, None, None)


def test_memos_tell_true_from_one_and_follow_the_arguments(keys):
    key = keys[256]
    as_true = jwe_steps.encrypt(b"m", key, alg="A256KW", enc="A256GCM", header={"x": True})
    as_one = jwe_steps.encrypt(b"m", key, alg="A256KW", enc="A256GCM", header={"x": 1})
    again = jwe_steps.encrypt(b"m", key, alg="A256KW", enc="A256GCM", header={"x": True})
    assert as_true["protected_header"] == again["protected_header"] != as_one["protected_header"]
    assert b'"x":true' in as_true["protected_header"] and b'"x":1' in as_one["protected_header"]
    for token in (as_true.token, as_one.token):  # the receiving table keeps them apart too
        assert jwe_steps.decrypt(token, key).header["x"] is (True if token == as_true.token else 1)
    with raises_code("algorithm.not_allowed"):  # an allow-list is part of what is remembered
        jwe_steps.encrypt(b"m", key, alg="A256KW", enc="A256GCM", algorithms=["A128KW", "A256GCM"])


def test_a_callers_changes_to_a_trace_do_not_reach_the_next_call(keys):
    key = keys[128]
    first = jwe_steps.encrypt(b"m", key, alg="A128KW", enc="A128GCM")
    first.header["kid"] = "changed"
    received = jwe_steps.decrypt(first.token, key)
    received.header["alg"] = "changed"
    assert jwe_steps.encrypt(b"m", key, alg="A128KW", enc="A128GCM").header["kid"] == key.kid
    assert jwe_steps.decrypt(first.token, key).header["alg"] == "A128KW"


def test_a_generator_allow_list_reaches_the_general_path_whole(keys):
    key = keys[128]
    token = jwe_steps.encrypt(b"m", key, alg="A128KW", enc="A128GCM").token
    names = (name for name in ["A128KW", "A128GCM"])
    assert jwe_steps.decrypt(token, key, algorithms=names).plaintext == b"m"


def test_the_header_table_stays_bounded(keys):
    key = keys[128]
    for index in range(compact_path.MAX_REMEMBERED_HEADERS + 10):
        sent = jwe_steps.encrypt(b"m", key, alg="A128KW", enc="A128GCM", header={"kid": str(index)})
        assert jwe_steps.decrypt(sent.token, key).plaintext == b"m"
    assert len(compact_path._received) <= compact_path.MAX_REMEMBERED_HEADERS
    assert len(key._memo["sending"]) <= compact_path.MAX_SENDING_PLANS


def test_headers_that_vary_per_token_are_not_remembered(keys):
    ec = keys["EC"]
    before = dict(compact_path._received)
    for _ in range(3):
        token = jwe_steps.encrypt(b"m", ec.public_key(), alg="ECDH-ES+A128KW", enc="A128GCM").token
        assert jwe_steps.decrypt(token, ec).plaintext == b"m"
    assert compact_path._received.keys() == before.keys()


def test_a_zip_token_goes_the_general_way_and_still_inflates(keys):
    key = keys[128]
    token = jwe_steps.encrypt(
        b"a" * 500, key, alg="A128KW", enc="A128GCM", header={"zip": "DEF"}
    ).token
    assert compact_path.decrypt_compact(token, key, None, None) is None
    assert jwe_steps.decrypt(token, key).plaintext == b"a" * 500
    assert jwe_steps.decrypt(token, key, limits=jwe_steps.Limits()).plaintext == b"a" * 500


def test_a_key_set_picks_the_key_by_kid_as_the_general_path_does(keys):
    first, second = jwe_steps.generate_key("RSA"), jwe_steps.generate_key("RSA")  # DEMO keys
    key_set = jwe_steps.load_key_set(
        {"keys": [first.to_jwk(private=True), second.to_jwk(private=True)]}
    )
    token = jwe_steps.encrypt(b"m", second.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    fast = compact_path.decrypt_compact(token, key_set, None, None)
    assert fast is not None and fast.steps == general_decrypt(token, key_set).steps
    stranger = jwe_steps.encrypt(b"m", keys["RSA"].public_key(), alg="RSA-OAEP-256", enc="A256GCM")
    assert codes(stranger.token, key_set) == ("key.kid_unknown", "key.kid_unknown")
    no_kid = jwe_steps.Key.from_jwk(
        {k: v for k, v in second.public_key().to_jwk().items() if k != "kid"}
    )
    unnamed = jwe_steps.encrypt(b"m", no_kid, alg="RSA-OAEP-256", enc="A256GCM").token
    assert codes(unnamed, key_set) == ("key.kid_required", "key.kid_required")


def test_a_call_the_compact_path_does_not_take_is_planned_only_once(keys, monkeypatch):
    key = jwe_steps.generate_key("oct", size=128)  # a DEMO key, with an empty memo
    planned = []
    real = compact_path.plan_encryption
    monkeypatch.setattr(
        compact_path, "plan_encryption", lambda *a, **k: planned.append(1) or real(*a, **k)
    )
    for _ in range(3):
        jwe_steps.encrypt(b"m", key, alg="dir", enc="A128GCM")
        jwe_steps.encrypt(b"m", key, alg="A128KW", enc="A128GCM", header={"zip": "DEF"})
    assert len(planned) == 2  # once for dir, once for zip; both then stay on the general path
    assert list(key._memo["sending"].values()) == [None, None]


def test_a_keys_receiving_decision_is_its_own_and_is_kept(keys):
    # What a key may decrypt (its JWK binding, type, privacy) is worked out once per alg and
    # enc and kept on that key: a key bound to another alg is refused every time, with the
    # general path's code, and the key it was loaded from still decrypts.
    rsa = keys["RSA"]
    token = jwe_steps.encrypt(b"m", rsa.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    bound = jwe_steps.load_key(rsa.to_jwk(private=True) | {"alg": "RSA-OAEP"})
    public = rsa.public_key()
    for _ in range(2):
        with raises_code("key.alg_binding"):
            jwe_steps.decrypt(token, bound)
        with raises_code("key.not_private"):
            jwe_steps.decrypt(token, public)
        assert jwe_steps.decrypt(token, rsa).plaintext == b"m"
    assert bound._memo["receiving"][("RSA-OAEP-256", "A256GCM")] is False
    assert callable(rsa._memo["receiving"][("RSA-OAEP-256", "A256GCM")])


def test_an_encrypted_key_of_the_wrong_length_costs_the_rsa_operation(keys):
    # RFC 7516 §11.5 on the compact path's one-call RSA-OAEP: a part of another length is not
    # refused before the private-key operation, which runs on a stand-in of the modulus size.
    rsa = keys["RSA"]
    seen = []

    class Counting:  # the private key, with each decryption's input length noted
        def __init__(self, material):
            self.material = material

        def decrypt(self, ciphertext, oaep):
            seen.append(len(ciphertext))
            return self.material.decrypt(ciphertext, oaep)

        def __getattr__(self, name):
            return getattr(self.material, name)

    counted = dataclasses.replace(rsa, material=Counting(rsa.material))
    token = jwe_steps.encrypt(b"m", rsa.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    parts = token.split(".")
    for length in (256, 253, 255):  # the right length, then two shorter ones
        encrypted_key = b64url_encode(b64url_decode(parts[1])[:length])
        opener = registry.key_management("RSA-OAEP-256").opener(
            counted, registry.content_encryption("A256GCM")
        )
        assert (opener(b64url_decode(encrypted_key), {}, [].append) is not None) is (length == 256)
    assert seen == [256, 256, 256]


@pytest.mark.parametrize("size", [100, compact_path.SPLIT_UP_TO, 3 * compact_path.SPLIT_UP_TO])
def test_tokens_on_both_sides_of_the_split_length_take_the_compact_path_alike(keys, size):
    # Up to SPLIT_UP_TO the receiving side splits a token in one call; beyond it each part is
    # decoded where it lies. Either way: the general path's steps, and its codes when broken.
    rsa = keys["RSA"]
    message = b"m" * size
    token = jwe_steps.encrypt(message, rsa.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    assert (len(token) <= compact_path.SPLIT_UP_TO) == (size < compact_path.SPLIT_UP_TO)
    fast = compact_path.decrypt_compact(token, rsa, None, None)
    assert fast is not None and fast.plaintext == message
    assert fast.steps == general_decrypt(token, rsa).steps
    header, encrypted_key, iv, ciphertext, tag = token.split(".")
    middle = len(ciphertext) // 2
    for broken in (
        ".".join([header, encrypted_key, iv, ciphertext[:middle] + "+" + ciphertext[middle + 1 :], tag]),
        ".".join([header, encrypted_key, iv, ciphertext + "=", tag]),
        ".".join([header, encrypted_key, iv, ciphertext]),
        ".".join([header, encrypted_key, iv, ciphertext, tag, ""]),
        ".".join(["", encrypted_key, iv, ciphertext, tag]),
    ):  # fmt: skip
        assert compact_path.decrypt_compact(broken, rsa, None, None) is None
        public, general = codes(broken, rsa)
        assert public is not None and public == general
