"""The allow-list: which ``alg`` and ``enc`` values a call accepts (RFC 8725 §3.1).

By default everything registered except RSA1_5 (see :mod:`jwe_steps.algorithms`). A list that
names no ``enc`` at all leaves ``enc`` at the default set (and likewise for ``alg``), so
``algorithms=["RSA-OAEP-256"]`` means "only this alg".
"""

from __future__ import annotations

from collections.abc import Iterable

from . import algorithms as registry
from .errors import AlgorithmError, InputError

AllowList = tuple[frozenset[str], frozenset[str]]


def allowed_algorithms(algorithms: Iterable[str] | None) -> AllowList:
    """Split an allow-list into the allowed ``alg`` and ``enc`` names."""
    default_algs, default_encs = registry.default_allow_lists()
    if algorithms is None:
        return default_algs, default_encs
    if isinstance(algorithms, str):
        algorithms = [algorithms]
    names = frozenset(algorithms)
    algs = names & frozenset(registry.KEY_MANAGEMENT)
    encs = names & frozenset(registry.CONTENT_ENCRYPTION)
    unknown = names - algs - encs
    if unknown:
        raise InputError(
            "the allow-list names unknown algorithms",
            code="input.allow_list",
            expected="registered alg/enc names",
            found=", ".join(sorted(map(str, unknown))),
        )
    return (algs or default_algs), (encs or default_encs)


def check_allowed(kind: str, name: str, allowed: frozenset[str]) -> None:
    """AlgorithmError unless ``name`` (an ``alg`` or ``enc``, as ``kind`` says) is allowed."""
    if name not in allowed:
        hint = None
        if name == "RSA1_5":
            hint = (
                "RSA1_5 is refused by default (padding-oracle attacks); allow-list it explicitly."
            )
        raise AlgorithmError(
            f"'{kind}' {name!r} is not allowed",
            code="algorithm.not_allowed",
            expected="one of " + ", ".join(sorted(allowed)),
            found=repr(name),
            hint=hint,
        )
