"""The allow-list: which ``alg`` and ``enc`` values a call accepts (RFC 8725 §3.1).

By default everything registered except RSA1_5 (see :mod:`jwe_steps.algorithms`). A list, when
given, is exhaustive for both kinds, as in jwcrypto and joserfc: ``["RSA-OAEP-256", "A256GCM"]``
accepts exactly that pair. A list that names no ``enc`` (or no ``alg``) is refused rather than
read as "any": an allow-list that silently widens is no allow-list.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from . import algorithms as registry
from . import strict_json
from .deflate import DEFLATE
from .errors import AlgorithmError, InputError

AllowList = tuple[frozenset[str], frozenset[str]]

_ZIP_HINT = (
    "'DEF' is a zip value, not an alg or enc: leave it out. decrypt() always accepts zip "
    "'DEF' and inflates to at most Limits.max_decompressed_bytes; encrypt() compresses only "
    "when header={'zip': 'DEF'} asks."
)


def allowed_algorithms(algorithms: Iterable[str] | None) -> AllowList:
    """Split an allow-list into the allowed ``alg`` and ``enc`` names."""
    if algorithms is None:
        return registry.default_allow_lists()
    if isinstance(algorithms, str):
        algorithms = [algorithms]
    return _split(allow_list_names(algorithms))


def allow_list_names(algorithms: Any) -> frozenset[str]:
    """The names of an allow-list argument (a list, tuple or set of str), or InputError."""
    try:
        names = frozenset(algorithms)
    except TypeError:  # not iterable, or holding lists
        raise InputError(
            "the allow-list must be a list of algorithm names",
            code="input.allow_list",
            expected="a list, tuple or set of str, e.g. ['RSA-OAEP-256', 'A256GCM']",
            found=type(algorithms).__name__,
        ) from None
    return _only_names(names)


@functools.lru_cache(maxsize=64)
def _only_names(names: frozenset[Any]) -> frozenset[str]:
    """``names`` once each is known to be a str (checked once per distinct set)."""
    strays = [name for name in names if type(name) is not str]
    if strays:
        raise InputError(
            "the allow-list must be a list of algorithm names",
            code="input.allow_list",
            expected="a list, tuple or set of str, e.g. ['RSA-OAEP-256', 'A256GCM']",
            found=f"a list holding {strict_json.json_kind(strays[0])}",
        )
    return names


@functools.lru_cache(maxsize=64)
def _split(names: frozenset[str]) -> AllowList:
    """The checked split of one set of names (a service passes the same list on every call)."""
    algs = names & frozenset(registry.KEY_MANAGEMENT)
    encs = names & frozenset(registry.CONTENT_ENCRYPTION)
    unknown = names - algs - encs
    if unknown:
        raise InputError(
            "the allow-list names unknown algorithms",
            code="input.allow_list",
            expected="registered alg/enc names",
            found=", ".join(sorted(map(str, unknown))),
            hint=_ZIP_HINT if DEFLATE in unknown else None,
        )
    for kind, named, example in (("alg", algs, "RSA-OAEP-256"), ("enc", encs, "A256GCM")):
        if not named:
            raise InputError(
                f"the allow-list names no {kind}",
                code="input.allow_list",
                expected=f"both the alg and the enc names to accept, e.g. {example!r}",
                found=", ".join(sorted(names)) or "an empty list",
                hint="The list is exhaustive for both alg and enc (as in jwcrypto and joserfc).",
            )
    return algs, encs


def check_allowed(kind: str, name: str, allowed: frozenset[str]) -> None:
    """AlgorithmError unless ``name`` (an ``alg`` or ``enc``, as ``kind`` says) is allowed."""
    if name not in allowed:
        hint = None
        if name == "RSA1_5":
            hint = (
                "RSA1_5 is refused by default (padding-oracle attacks); name it in the "
                "allow-list to use it anyway (algorithms=[...], or --allow on the command line)."
            )
        raise AlgorithmError(
            f"'{kind}' {name!r} is not allowed",
            code="algorithm.not_allowed",
            expected="one of " + ", ".join(sorted(allowed)),
            found=repr(name),
            hint=hint,
        )
