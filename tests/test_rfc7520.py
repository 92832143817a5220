"""RFC 7520 §5.1-5.13: each JWE example decrypts with the RFC's key, in the serialization
the RFC prints (and the others, built from the same parts); each example whose generated
values (CEK, IV, ephemeral key, p2s, key-wrap IV) the RFC gives is re-encrypted byte for byte.
RSA encryption is randomized, so for 5.1, 5.2 and recipient 1 of 5.13 everything but the
encrypted key is compared, and our encrypted key must decrypt.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

import jwe_steps
from jwe_steps import algorithms as registry
from jwe_steps.b64 import b64url_decode, b64url_encode
from jwe_steps.examples import rfc7520

EXAMPLES: dict[str, dict[str, Any]] = rfc7520.EXAMPLES
EVERY_ALGORITHM = sorted(registry.KEY_MANAGEMENT) + sorted(registry.CONTENT_ENCRYPTION)
RANDOMIZED = {"RSA1_5", "RSA-OAEP"}


def _plaintext(example: dict[str, Any]) -> bytes:
    return str(example.get("plaintext", rfc7520.PLAINTEXT)).encode("utf-8")


_LOADED: dict[str, jwe_steps.Key] = {}


def _load(jwk: dict[str, Any]) -> jwe_steps.Key:
    """Each RFC key parsed once: validating the 4096-bit RSA key is the slow part."""
    name = jwk.get("kid", jwk.get("k", ""))
    if name not in _LOADED:
        _LOADED[name] = jwe_steps.load_key(jwk)
    return _LOADED[name]


def _key(example: dict[str, Any]) -> Any:
    return example["password"].encode("utf-8") if "password" in example else _load(example["key"])


def _json_forms(example: dict[str, Any]) -> dict[str, Any]:
    """The published output in every serialization the example allows."""
    if "compact" in example:
        header, key, iv, ciphertext, tag = example["compact"].split(".")
        flattened = {"protected": header, "encrypted_key": key, "iv": iv,
                     "ciphertext": ciphertext, "tag": tag}  # fmt: skip
        if not key:
            del flattened["encrypted_key"]
        general = {k: v for k, v in flattened.items() if k != "encrypted_key"}
        general["recipients"] = [{"encrypted_key": key} if key else {}]
        return {"compact": example["compact"], "flattened": flattened, "general": general}
    general = example["general"]
    forms = {"general": general}
    if len(general["recipients"]) == 1:
        flattened = {k: v for k, v in general.items() if k != "recipients"}
        flattened.update(general["recipients"][0])
        forms["flattened"] = flattened
    return forms


CASES = [(section, form) for section, example in EXAMPLES.items() for form in _json_forms(example)]


@pytest.mark.parametrize(("section", "form"), CASES, ids=[f"{s}-{f}" for s, f in CASES])
def test_published_example_decrypts(section, form):
    example = EXAMPLES[section]
    token = _json_forms(example)[form]
    if section == "5.13":
        for recipient in example["recipients"]:
            trace = jwe_steps.decrypt(token, _load(recipient["key"]), algorithms=EVERY_ALGORITHM)
            assert trace.plaintext == _plaintext(example)
            assert trace.header["alg"] == recipient["alg"]
        return
    trace = jwe_steps.decrypt(token, _key(example), algorithms=EVERY_ALGORITHM)
    assert trace.plaintext == _plaintext(example)
    if "cek" in example:
        assert trace["cek"] == b64url_decode(example["cek"])
    if "derived_cek" in example:  # 5.5: the Concat KDF output is the CEK (Figure 124)
        assert trace["derived_key"] == b64url_decode(example["derived_cek"])
    if "compressed" in example:  # 5.9: the decrypted content before inflating (Figure 162)
        assert trace["compressed_plaintext"] == b64url_decode(example["compressed"])


def _encrypt(example: dict[str, Any], serialization: str) -> Any:
    fixed: dict[str, Any] = {}
    if "cek" in example:
        fixed["cek"] = b64url_decode(example["cek"])
    if "aad" in example.get("general", {}):
        fixed["aad"] = b64url_decode(example["general"]["aad"])
    if "recipients" in example:  # 5.13
        fixed["recipients"] = [
            {name: r[name] for name in ("alg", "header", "ephemeral_key") if name in r}
            | {"key": _load(r["key"])}
            for r in example["recipients"]
        ]
    else:
        fixed["key"] = _key(example)
        fixed["alg"] = example["alg"]
        if "ephemeral_key" in example:
            fixed["ephemeral_key"] = example["ephemeral_key"]
    return jwe_steps.encrypt(
        _plaintext(example),
        enc=example["enc"],
        header=example["protected"],
        unprotected=example.get("unprotected"),
        iv=b64url_decode(example["iv"]),
        serialization=serialization,
        algorithms=EVERY_ALGORITHM,
        **fixed,
    )


@pytest.mark.parametrize(("section", "form"), CASES, ids=[f"{s}-{f}" for s, f in CASES])
def test_example_is_reproduced_byte_for_byte(section, form):
    example = EXAMPLES[section]
    expected = _json_forms(example)[form]
    trace = _encrypt(example, form)
    if form == "compact":
        ours, theirs = trace.token.split("."), expected.split(".")
        if example["alg"] in RANDOMIZED:
            ours[1] = theirs[1] = "(randomized)"
        assert ours == theirs
    else:
        ours, theirs = copy.deepcopy(trace.token), copy.deepcopy(expected)
        for index, recipient in enumerate(example.get("recipients", [example])):
            if recipient["alg"] in RANDOMIZED:
                holder_ours = ours["recipients"][index] if "recipients" in ours else ours
                holder_theirs = theirs["recipients"][index] if "recipients" in theirs else theirs
                holder_ours["encrypted_key"] = holder_theirs["encrypted_key"] = "(randomized)"
        assert ours == theirs
    # Whatever was randomized, our own token must open with the RFC's key(s).
    if "recipients" in example:
        keys = [_load(r["key"]) for r in example["recipients"]]
    else:
        keys = [_key(example)]
    for key in keys:
        assert jwe_steps.decrypt(trace.token, key, algorithms=EVERY_ALGORITHM).plaintext == (
            _plaintext(example)
        )


def test_5_9_compression_matches_figure_162():
    example = EXAMPLES["5.9"]
    trace = _encrypt(example, "compact")
    assert b64url_encode(trace["compressed_plaintext"]) == example["compressed"]


def test_5_10_aad_is_figure_171():
    trace = jwe_steps.decrypt(EXAMPLES["5.10"]["general"], EXAMPLES["5.10"]["key"])
    assert trace["jwe_aad"] == rfc7520.AAD_5_10.encode("utf-8")
    assert trace["aad"] == (
        EXAMPLES["5.10"]["general"]["protected"] + "." + EXAMPLES["5.10"]["general"]["aad"]
    ).encode("ascii")


def test_5_13_each_recipient_is_found_by_its_key_alone():
    token = EXAMPLES["5.13"]["general"]
    keys = [_load(r["key"]) for r in EXAMPLES["5.13"]["recipients"]]
    for index, key in enumerate(keys):
        trace = jwe_steps.decrypt(token, key, algorithms=EVERY_ALGORITHM)
        assert trace.step("encrypted_key").detail == {"recipient": index}
    # A key set picks by each recipient's kid.
    trace = jwe_steps.decrypt(token, {"keys": keys[1:]}, algorithms=EVERY_ALGORITHM)
    assert trace.header["alg"] == "ECDH-ES+A256KW"
