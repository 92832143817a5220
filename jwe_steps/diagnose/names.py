"""The alg and enc names: refused, swapped, or another spelling of a JOSE name (RFC 7518 §4, §5).

The allow-list is read exactly as decrypt() reads it (``pipeline``'s own reader).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import algorithms as registry
from ..allow_list import allowed_algorithms as decrypt_allow_lists
from .findings import Finding, Messages, Option, say

# RFC 7518 Appendix A.2 and A.3 list, for each JOSE name, the XML Encryption URI and the Java
# Cipher transformation of the same algorithm.
_XMLENC = {
    "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p": ("RSA-OAEP",),
    "http://www.w3.org/2009/xmlenc11#rsa-oaep": ("RSA-OAEP-256", "RSA-OAEP"),
    "http://www.w3.org/2001/04/xmlenc#rsa-1_5": ("RSA1_5",),
    "http://www.w3.org/2001/04/xmlenc#kw-aes128": ("A128KW",),
    "http://www.w3.org/2001/04/xmlenc#kw-aes192": ("A192KW",),
    "http://www.w3.org/2001/04/xmlenc#kw-aes256": ("A256KW",),
    "http://www.w3.org/2009/xmlenc11#aes128-gcm": ("A128GCM",),
    "http://www.w3.org/2009/xmlenc11#aes192-gcm": ("A192GCM",),
    "http://www.w3.org/2009/xmlenc11#aes256-gcm": ("A256GCM",),
    "http://www.w3.org/2001/04/xmlenc#aes128-cbc": ("A128CBC-HS256",),
    "http://www.w3.org/2001/04/xmlenc#aes192-cbc": ("A192CBC-HS384",),
    "http://www.w3.org/2001/04/xmlenc#aes256-cbc": ("A256CBC-HS512",),
}
_JAVA_OAEP = re.compile(r"RSA/(?:ECB|NONE)/OAEPWITHSHA-?(1|256|384|512)ANDMGF1PADDING")
_JAVA = {
    "RSA/ECB/PKCS1PADDING": ("RSA1_5",),
    "AES/GCM/NOPADDING": ("A256GCM", "A128GCM", "A192GCM"),
    "AESWRAP": ("A256KW", "A128KW", "A192KW"),
}
_MAX_NAME = 256  # longer alg/enc values are not read as a spelling of anything


def _squash(name: str) -> str:
    """Upper case, letters and digits only: 'rsa_oaep_256' and 'RSA-OAEP-256' squash alike."""
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def lookalikes(name: str, table: Mapping[str, Any]) -> tuple[list[str], str]:
    """Registered names in ``table`` that ``name`` is probably meant to be, and what it is."""
    candidates: Sequence[str] = ()
    what = ""
    stripped = name.strip()
    if len(stripped) > _MAX_NAME:
        return [], what
    if stripped.lower() in _XMLENC:
        candidates, what = _XMLENC[stripped.lower()], "an XML Encryption algorithm URI"
    elif match := _JAVA_OAEP.fullmatch(stripped.upper()):
        bits = match.group(1)
        candidates = ("RSA-OAEP",) if bits == "1" else (f"RSA-OAEP-{bits}",)
        what = "a Java Cipher transformation name"
    elif stripped.upper() in _JAVA:
        candidates, what = _JAVA[stripped.upper()], "a Java Cipher transformation name"
    else:
        squashed = _squash(stripped)
        squashed = re.sub(r"^AES(?=\d)", "A", squashed)  # AES256GCM -> A256GCM
        squashed = re.sub(r"^RSAES", "RSA", squashed)
        squashed = re.sub(r"^RSAOAEP(?:SHA)?1$", "RSAOAEP", squashed)
        squashed = re.sub(r"^RSAOAEPSHA", "RSAOAEP", squashed)
        squashed = {"DIRECT": "DIR", "RSAPKCS1": "RSA15", "RSAPKCS1V15": "RSA15"}.get(
            squashed, squashed
        )
        candidates = [known for known in table if _squash(known) == squashed]
        what = "another spelling of a JOSE name (the names are exact, case-sensitive strings)"
    return [c for c in dict.fromkeys(candidates) if c in table and c != name], what


def allow_lists(algorithms_arg: Iterable[str] | None) -> tuple[frozenset[str], frozenset[str]]:
    """The allowed alg and enc names, exactly as decrypt() reads its ``algorithms`` argument."""
    return decrypt_allow_lists(algorithms_arg)


_GENERIC_FIX = "Send one of the registered JOSE names in '{kind}' ({spec}): {names}."
_TEXTS: dict[str, tuple[str, str]] = {
    "refused": (
        "The token's {kind} {name!r} is supported but not in the allow-list you passed.",
        "Agree on an allowed {kind} with the sender, or allow it (algorithms=[...] in Python, "
        "--allow on the command line).",
    ),
    "refused_rsa1_5": (
        "The token's {kind} {name!r} is supported but not in the allow-list you passed "
        "(RSA1_5 is refused by default: padding-oracle attacks, RFC 8725 §3.2).",
        "Agree on an allowed {kind} with the sender, preferably RSA-OAEP-256.",
    ),
    "unknown": (
        "The token's {kind} is {shown}, which is not a JOSE {kind} this library knows.",
        _GENERIC_FIX,
    ),
    "lookalike": (
        "The token's {kind} is {shown}, {what}, meaning {candidate}.",
        "Send the JOSE name '{candidate}' in '{kind}' ({spec}).",
    ),
    "unproven": (
        "The token's {kind} is {shown}, {what}. It looks like {candidates}, but the token does "
        "not decrypt when read that way either.",
        _GENERIC_FIX,
    ),
}
MESSAGES: Messages = {
    f"header.unsupported_{kind}:{variant}": texts
    for kind in ("alg", "enc")
    for variant, texts in _TEXTS.items()
}
_SPECS = {"alg": "RFC 7518 §4.1", "enc": "RFC 7518 §5.1"}


def name_options(
    kind: str, name: Any, other: Any, allowed: frozenset[str]
) -> tuple[list[Option[str]], list[Finding]]:
    """How to read the header's ``alg`` (kind "alg") or ``enc``: as written, or as what it looks
    like. Also the finding to report when none of the readings decrypts."""
    table: Mapping[str, Any] = (
        registry.KEY_MANAGEMENT if kind == "alg" else registry.CONTENT_ENCRYPTION
    )
    other_table = registry.CONTENT_ENCRYPTION if kind == "alg" else registry.KEY_MANAGEMENT

    def said(variant: str, **facts: Any) -> Finding:
        names = ", ".join(sorted(table))
        key = f"header.unsupported_{kind}:{variant}"
        return say(MESSAGES, key, kind=kind, spec=_SPECS[kind], names=names, **facts)

    if isinstance(name, str) and name in table:
        if name in allowed:
            return [Option(name)], []
        refused = said("refused_rsa1_5" if name == "RSA1_5" else "refused", name=name)
        return [Option(name, (refused,))], [refused]
    shown = repr(name[:80]) if isinstance(name, str) else f"a JSON {type(name).__name__}"
    if not isinstance(name, str):
        candidates, what = [], ""
    elif isinstance(other, str) and name in other_table and other in table:
        swapped = "enc" if kind == "alg" else "alg"
        candidates, what = [other], f"the {swapped} value: alg and enc are swapped"
    else:
        candidates, what = lookalikes(name, table)
    if not candidates:
        return [], [said("unknown", shown=shown)]
    options = [
        Option(candidate, (said("lookalike", shown=shown, what=what, candidate=candidate),))
        for candidate in candidates
    ]
    unproven = said("unproven", shown=shown, what=what, candidates=" or ".join(candidates))
    return options, [unproven]
