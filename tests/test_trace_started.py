"""Trace.started makes what the dataclass __init__ makes (the compact path starts its traces
with it, on every call), for every trace class."""

from __future__ import annotations

import pytest

from jwe_steps.encryption import CompactEncryptTrace, JSONEncryptTrace
from jwe_steps.jws import SignTrace, VerifyTrace
from jwe_steps.trace import DecryptTrace, EncryptTrace, Trace, blank_starter

CLASSES = [
    DecryptTrace,
    EncryptTrace,
    CompactEncryptTrace,
    JSONEncryptTrace,
    SignTrace,
    VerifyTrace,
]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_a_started_trace_is_the_one_init_makes(cls):
    started, made = cls.started(), cls()
    assert started == made and started.steps == [] and started.verifications == {}
    assert started.header == {} and started.header is not cls.started().header  # fresh each
    started.add("x", b"1", "a step")
    assert len(started) == 1 and cls.started().steps == []


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_a_blank_starter_makes_what_started_makes(cls):
    start = blank_starter(cls)
    first, second = start(), start()
    assert type(first) is cls and first == cls() == cls.started()
    assert first.header == {} and first.header is not second.header  # fresh each
    assert first.verifications is not second.verifications
    first.add("x", b"1", "a step")
    assert len(first) == 1 and second.steps == [] and start().steps == []


def test_values_are_set_as_the_init_would_set_them():
    assert DecryptTrace.started(plaintext=b"p", header={"alg": "dir"}) == DecryptTrace(
        plaintext=b"p", header={"alg": "dir"}
    )
    assert SignTrace.started(token="a.b.c").token == "a.b.c"  # through the token property
    assert Trace.started(operation="op") == Trace("op")


def test_a_field_without_a_default_must_be_given():
    with pytest.raises(TypeError):
        Trace.started()
    with pytest.raises(TypeError):
        blank_starter(Trace)
