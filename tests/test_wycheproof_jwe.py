"""Project Wycheproof's json_web_encryption_test.json: every valid vector decrypts to its
plaintext, every invalid one raises JWEError.

The file's keys are JWKs bound to their algorithm by ``alg``; RSA1_5 is allow-listed here on
purpose, so its invalid-padding vectors exercise the RFC 7516 §11.5 countermeasure rather than
the default refusal.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import raises_code

import jwe_steps
from jwe_steps import JWEError
from jwe_steps import algorithms as registry

EVERY_ALGORITHM = sorted(registry.KEY_MANAGEMENT) + sorted(registry.CONTENT_ENCRYPTION)


def _cases(wycheproof: Any) -> list[tuple[jwe_steps.Key, dict[str, Any]]]:
    """(key, test) pairs; each group's key is parsed once (RSA validation is the slow part)."""
    data = wycheproof("json_web_encryption_test.json")
    return [
        (key, test)
        for group in data["testGroups"]
        for key in [jwe_steps.load_key(group["private"])]
        for test in group["tests"]
    ]


def test_every_vector(wycheproof):
    cases = _cases(wycheproof)
    assert len(cases) >= 139
    checked = {"valid": 0, "invalid": 0}
    for key, test in cases:
        label = f"tcId {test['tcId']} ({test['comment']})"
        if test["result"] == "valid":
            trace = jwe_steps.decrypt(test["jwe"], key, algorithms=EVERY_ALGORITHM)
            assert trace.plaintext == bytes.fromhex(test["pt"]), label
            checked["valid"] += 1
            continue
        assert test["result"] == "invalid", label
        try:
            jwe_steps.decrypt(test["jwe"], key, algorithms=EVERY_ALGORITHM)
        except JWEError:
            checked["invalid"] += 1
            continue
        # RFC 7516 allows the JSON serialization; Wycheproof flags that vector as optional.
        assert "JsonSerialization" in test["flags"], f"{label} decrypted but must not"
    assert checked["valid"] >= 60 and checked["invalid"] >= 70


def test_invalid_rsa1_5_paddings_all_fail_alike(wycheproof):
    """The ModifiedPkcs15Padding vectors must not be told apart (RFC 7516 §11.5): every one
    fails at the tag with the same message as a tampered tag."""
    messages = set()
    for key, test in _cases(wycheproof):
        if "ModifiedPkcs15Padding" in test["flags"]:
            with pytest.raises(JWEError) as caught:
                jwe_steps.decrypt(test["jwe"], key, algorithms=EVERY_ALGORITHM)
            assert caught.value.stage == jwe_steps.Stage.CONTENT_DECRYPTION, test["tcId"]
            messages.add(str(caught.value))
    assert len(messages) == 1


def test_rsa1_5_vectors_are_refused_by_default(wycheproof):
    for key, test in _cases(wycheproof):
        if test["comment"] == "validPadding":
            with raises_code("algorithm.not_allowed"):
                jwe_steps.decrypt(test["jwe"], key)
            return
    pytest.fail("the RSA1_5 validPadding vector is missing from the file")
