"""The replay: decrypt again under every hypothesis, cheapest first (RFC 7516 §5.2 steps 6-16).

Per recipient: the alg/enc readings (names), the keys (key_selection), the encrypted key
(encrypted_key). Then, for each recovered CEK, every reading of CEK, IV, tag and AAD (lengths,
aad), tried in order of how many mistakes each assumes, within the diagnosis's Budget.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .. import algorithms as registry
from ..algorithms import ContentEncryption, KeyManagement, Mode
from ..errors import HeaderError, InvalidKeyError, JWEError
from ..header import merge_headers, parse_header
from ..keys import check_key_allows
from ..serialization import ParsedJWE
from .aad import aad_options
from .encrypted_key import key_mismatch_finding, unwrap_options
from .findings import ORDER, Budget, Finding, Messages, Option, limits_finding, merge, say
from .header_json import epk_option, header_json_findings
from .key_selection import binding_finding, key_options, key_type_finding
from .lengths import Sealed, cek_options, iv_options, other_enc_failed, tag_options
from .names import name_options


def _open(
    content: ContentEncryption, cek: bytes, iv: bytes, sealed: Sealed, aad: bytes, budget: Budget
) -> bool:
    """Does authenticated decryption succeed for this reading of the token?"""
    if not budget.decryption(len(sealed.ciphertext) + len(aad)):
        return False
    try:
        if sealed.truncated_gcm_tag:
            decryptor = Cipher(
                algorithms.AES(cek), modes.GCM(iv, sealed.tag, min_tag_length=len(sealed.tag))
            ).decryptor()
            decryptor.authenticate_additional_data(aad)
            decryptor.update(sealed.ciphertext)
            decryptor.finalize()
        else:
            content.decrypt(cek, iv, sealed.ciphertext, sealed.tag, aad, budget.context())
    except (JWEError, InvalidTag, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Unwrapped:
    """A CEK recovered from the encrypted key under one reading of alg, enc and the key.

    ``names`` are the alg/enc findings that hold only if the content then decrypts;
    ``names_fallback`` replaces them when it does not. ``key_findings`` (kid, key binding,
    OAEP, an epk sent as text) are proven by the recovery itself. ``kid_fallback`` is reported
    when the content fails under a direct mode (dir, ECDH-ES), where any key "recovers" a CEK;
    ``kid_if_content_fails`` when it fails under the other modes, where recovering the CEK
    proves the key, so a kid naming another key points to an edited header.
    """

    cek: bytes
    km: KeyManagement
    content: ContentEncryption
    names: tuple[Finding, ...]
    names_fallback: tuple[Finding, ...]
    key_findings: tuple[Finding, ...]
    kid_fallback: tuple[Finding, ...] = ()
    kid_if_content_fails: tuple[Finding, ...] = ()

    @property
    def cost(self) -> int:
        return len(self.names) + len(self.key_findings)


def _cannot_serve(km: KeyManagement, content: ContentEncryption, error: InvalidKeyError) -> Finding:
    facts = {"why": error.message, "expected": error.expected, "found": error.found}
    return say(MESSAGES, "key.type:cannot_serve", alg=km.name, enc=content.name, **facts)


@dataclass
class _Names:
    """The alg and enc readings for one recipient, and what to say when none decrypts."""

    algs: list[Option[str]]
    encs: list[Option[str]]
    fallback: list[Finding]


def _names(header: dict[str, Any], allowed: tuple[frozenset[str], frozenset[str]]) -> _Names:
    alg, enc = header.get("alg"), header.get("enc")
    algs, alg_fallback = name_options("alg", alg, enc, allowed[0])
    encs, enc_fallback = name_options("enc", enc, alg, allowed[1])
    alg_as_is = any(not o.findings for o in algs)
    enc_as_is = any(not o.findings for o in encs)
    fallback = ([] if alg_as_is else alg_fallback) + ([] if enc_as_is else enc_fallback)
    return _Names(algs, encs, fallback)


def unwrap_recipient(
    material: Any,
    header: dict[str, Any],
    encrypted_key: bytes,
    allowed: tuple[frozenset[str], frozenset[str]],
    budget: Budget,
) -> tuple[list[Unwrapped], list[Finding]]:
    """Every CEK the key recovers for one recipient, or the findings that say why none."""
    header, header_findings = epk_option(header)
    names = _names(header, allowed)
    if not names.algs or not names.encs:
        return [], names.fallback + list(header_findings)
    try:
        choices, kid_failure = key_options(material, header)
    except JWEError:  # the key itself does not load: the error says why
        return [], []
    results: list[Unwrapped] = []
    type_findings: list[Finding] = []
    tried: tuple[Any, KeyManagement] | None = None
    for alg_option, enc_option, choice in itertools.product(names.algs, names.encs, choices):
        km = registry.key_management(alg_option.value)
        content = registry.content_encryption(enc_option.value)
        wrong_type = key_type_finding(choice.key, km, header)
        if wrong_type is not None:
            type_findings.append(wrong_type)
            continue
        binding: InvalidKeyError | None = None
        try:
            check_key_allows(choice.key, km.name, decrypting=True, enc=content.name)
        except InvalidKeyError as error:
            binding = error
        as_sent = dict(header, alg=km.name, enc=content.name)
        try:
            options = unwrap_options(choice.key, km, content, encrypted_key, as_sent, budget)
        except InvalidKeyError as error:  # e.g. a 'dir' key of the wrong size for enc
            type_findings.append(_cannot_serve(km, content, error))
            continue
        except HeaderError:  # e.g. an epk that is no public key: decrypt's error says so
            continue
        tried = tried or (choice.key, km)
        for option in options:
            cek, actual_alg = option.value
            bound: tuple[Finding, ...] = ()
            if binding is not None and choice.key.alg != actual_alg:
                bound = (binding_finding(choice.key, km.name, binding),)
            results.append(
                Unwrapped(
                    cek,
                    km,
                    content,
                    names=alg_option.findings + enc_option.findings,
                    names_fallback=tuple(names.fallback),
                    key_findings=header_findings + choice.findings + bound + option.findings,
                    kid_fallback=tuple(kid_failure),
                    kid_if_content_fails=choice.if_content_fails,
                )
            )
    if results:
        return results, []
    failure = names.fallback + list(header_findings) + kid_failure
    if budget.refused:  # hypotheses left untried: "a different key" would be a guess
        failure += limits_finding(budget)
    elif tried is not None:
        failure.append(key_mismatch_finding(tried[0], tried[1], encrypted_key))
    else:
        failure += type_findings[:1]
    return [], merge(failure)


@dataclass(frozen=True)
class Reading:
    """One complete reading of the token: a recovered CEK and one option for each part."""

    unwrapped: Unwrapped
    cek: Option[tuple[bytes, ContentEncryption]]
    iv: Option[bytes]
    sealed: Option[Sealed]
    aad: Option[bytes]

    @property
    def cost(self) -> int:
        parts = (self.cek, self.iv, self.sealed, self.aad)
        return self.unwrapped.cost + sum(len(p.findings) for p in parts)

    def opens(self, budget: Budget) -> bool:
        cek, content = self.cek.value
        return _open(content, cek, self.iv.value, self.sealed.value, self.aad.value, budget)

    def findings(self) -> list[Finding]:
        """The findings, each hypothesis ending with the proof that this reading decrypts."""
        u = self.unwrapped
        parts = [p.findings for p in (self.cek, self.iv, self.sealed, self.aad)]
        hypotheses = merge(u.names, *parts)
        proven_by_key = [f for f in u.key_findings if f not in hypotheses]
        alone = len(hypotheses) + len(proven_by_key) == 1
        proof = (
            " Read that way, your key decrypts the token."
            if alone
            else " Read that way, together with the other findings, your key decrypts the token."
        )
        proven = {f: replace(f, message=f.message + proof) for f in hypotheses}
        ordered = merge(u.names, u.key_findings, *parts)
        ordered.sort(key=lambda f: ORDER[f.code])
        return [proven.get(f, f) for f in ordered]


def readings(
    unwrapped: Unwrapped, parsed: ParsedJWE, aads: list[Option[bytes]]
) -> Iterator[Reading]:
    """Every combination of the part options for one recovered CEK."""
    for cek in cek_options(unwrapped.cek, unwrapped.content)[0]:
        content = cek.value[1]
        for iv in iv_options(parsed.iv, content)[0]:
            for sealed in tag_options(parsed.ciphertext, parsed.tag, content)[0]:
                for aad in aads:
                    yield Reading(unwrapped, cek, iv, sealed, aad)


def _recipient_headers(parsed: ParsedJWE, protected: dict[str, Any]) -> list[dict[str, Any]]:
    """Each recipient's JOSE header, as decrypt() merges it (RFC 7516 §5.2 step 4); a
    recipient whose headers are not disjoint is left out, as decrypt() refuses it."""
    headers = []
    for recipient in parsed.recipients:
        try:
            headers.append(merge_headers(protected, parsed.unprotected, recipient.header))
        except JWEError:
            headers.append({})
    return headers


def replay(
    parsed: ParsedJWE,
    material: Any,
    allowed: tuple[frozenset[str], frozenset[str]],
    budget: Budget,
    sent_header_texts: tuple[str, ...] = (),
) -> tuple[list[Finding], bool]:
    """The findings, and whether the token decrypts once they are all repaired."""
    try:
        protected = parse_header(parsed.protected_header) if parsed.encoded_protected_header else {}
    except JWEError:
        return header_json_findings(parsed.protected_header), False

    # RFC 7516 §5.2 steps 6-12, per recipient: names, key, encrypted key.
    recovered: list[Unwrapped] = []
    failure: list[Finding] | None = None
    for index, header in enumerate(_recipient_headers(parsed, protected)):
        if not header:
            continue
        encrypted_key = parsed.recipients[index].encrypted_key
        found, why_not = unwrap_recipient(material, header, encrypted_key, allowed, budget)
        recovered += found
        failure = why_not if failure is None else failure
    if not recovered:
        if budget.refused:  # some recipient was not tried: no claim about the key holds
            failure = [f for f in failure or [] if f.code != "key.mismatch"]
            return merge(failure, limits_finding(budget)), False
        return failure or [], False

    # Steps 13-16: every reading of CEK, IV, tag and AAD, cheapest first.
    aads = aad_options(parsed, protected, sent_header_texts)
    candidates = sorted(
        (r for u in recovered for r in readings(u, parsed, aads)), key=lambda r: r.cost
    )
    for reading in candidates:
        if reading.opens(budget):
            return reading.findings(), True
        if budget.attempts <= 0 or budget.work_bytes <= 0:
            break
    return _nothing_opens(parsed, recovered, budget), False


def _nothing_opens(parsed: ParsedJWE, recovered: list[Unwrapped], budget: Budget) -> list[Finding]:
    """What the recovered CEK proves, then the first part that is surely wrong."""
    best = min(recovered, key=lambda u: u.cost)
    shapes = (
        cek_options(best.cek, best.content),
        iv_options(parsed.iv, best.content),
        tag_options(parsed.ciphertext, parsed.tag, best.content),
    )
    wrong = [fallback for options, fallback in shapes if not any(not o.findings for o in options)]
    kid = best.kid_fallback if best.km.generates_cek else best.kid_if_content_fails
    if wrong:
        certain = wrong[0]
        # The CEK fits another enc, which was tried and failed too: say so, not "generate".
        if certain is shapes[0][1] and _every_reading_tried(budget):
            certain = other_enc_failed(best.cek, best.content) or certain
    elif budget.refused:
        certain = limits_finding(budget)
    else:
        disagree = [f.code for f in (*kid, *best.key_findings) if f.code in _HEADER_DISAGREES]
        json_aad = parsed.encoded_aad is not None
        certain = [tag_mismatch_finding(best.km, json_aad=json_aad, disagrees=disagree)]
    return merge(best.names_fallback, kid, best.key_findings, certain)


def _every_reading_tried(budget: Budget) -> bool:
    """Whether no part of the budget ran out, so every reading listed was tried."""
    return not budget.refused and budget.attempts > 0 and budget.work_bytes > 0


# Findings that prove the header names something other than what the key did: the kid of
# another key, an OAEP hash or padding other than alg's.
_HEADER_DISAGREES = frozenset({"kid.mismatch", "oaep.hash_mismatch", "oaep.pkcs1v15"})


_CHECK_BYTES = (
    "Compare the token byte for byte with what the sender produced: look for truncation, "
    "re-encoding or string mangling in transit, and for a header member added, removed or "
    "changed after encryption (set kid, typ and every other member before encrypting, and "
    "pass the header part through untouched); check that the IV sent is the IV used."
)
_NOTHING_FITS = (
    ", but the tag does not verify, and no alternative tried (empty AAD, a re-serialized "
    "header, the tag moved, a text-encoded CEK, IV or tag) fits: {altered} was altered after "
    "encryption."
)
_ALTERED = {
    False: "the protected header (it is the AAD, RFC 7516 §5.1 step 14), the IV, the "
    "ciphertext or the tag",
    True: "the protected header or the 'aad' member (together they are the AAD, RFC 7516 §5.1 "
    "step 14), the IV, the ciphertext or the tag",
}
_DISAGREES = (
    " The header also disagrees with what your key proves ({codes}): together with the "
    "failing tag, that points first to a protected header changed after encryption."
)
MESSAGES: Messages = {
    "tag.mismatch": (
        "Your key recovers the CEK, every part has the right length" + _NOTHING_FITS,
        _CHECK_BYTES,
    ),
    "tag.mismatch:dir": (
        "With 'dir' your key is the CEK, so a different shared key also ends here. Otherwise: "
        "every part has the right length" + _NOTHING_FITS,
        "Check that the sender uses the same shared key as you. " + _CHECK_BYTES,
    ),
    "tag.mismatch:agreement": (
        "With {alg} the CEK is agreed from your key and the sender's ephemeral key, so a token "
        "made for a different key also ends here. Otherwise: every part has the right length"
        + _NOTHING_FITS,
        "Check that the sender encrypted to your current public key. " + _CHECK_BYTES,
    ),
    "key.type:cannot_serve": (
        "This key cannot serve {alg} with {enc}: {why} (expected {expected}, found {found}).",
        "Decrypt with the key made for {alg} with {enc}.",
    ),
}


def tag_mismatch_finding(
    km: KeyManagement, *, json_aad: bool = False, disagrees: Sequence[str] = ()
) -> Finding:
    """The fallback: the key is right, the shapes are right, and still the tag fails.

    With a direct mode (dir, ECDH-ES) no encrypted key proves the key right: any key yields a
    CEK, so a wrong key ends here too, and the message says so. ``disagrees``: the codes of
    findings that show the header naming something other than what the key proved (a kid,
    an OAEP hash), which point to an edited header.
    """
    altered = _ALTERED[json_aad]
    if km.mode is Mode.DIRECT_ENCRYPTION:
        return say(MESSAGES, "tag.mismatch:dir", altered=altered)
    if km.generates_cek:
        return say(MESSAGES, "tag.mismatch:agreement", alg=km.name, altered=altered)
    found = say(MESSAGES, "tag.mismatch", altered=altered)
    if not disagrees:
        return found
    codes = ", ".join(dict.fromkeys(disagrees))
    return replace(found, message=found.message + _DISAGREES.format(codes=codes))
