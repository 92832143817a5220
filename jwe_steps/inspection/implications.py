"""What the lengths and header members imply, checked against the algorithm registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..algorithms import CONTENT_ENCRYPTION, KEY_MANAGEMENT, NOT_ALLOWED_BY_DEFAULT, Mode
from ..display import brief as _brief
from ..limits import DEFAULT_LIMITS
from .model import _Builder
from .reading import _decode

# Every header member the checks below read: a merged header of these alone says the same.
_MEMBERS_READ = ("alg", "enc", "zip", "iv", "tag", "p2s", "p2c", "epk", "kid", "crit")


def _members_read(*headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """The members the checks read, merged (a later header wins), whatever else the headers
    hold: a header of a million members costs ten look-ups per recipient, not a copy."""
    return {
        name: header[name]
        for header in headers
        if header
        for name in _MEMBERS_READ
        if name in header
    }


def _implications(
    header: Mapping[str, Any], lengths: Mapping[str, int | None], out: _Builder, where: str = ""
) -> None:
    """Check ``lengths`` (bytes of each part, None when unknown) against alg/enc."""
    alg_name, enc_name = header.get("alg"), header.get("enc")
    for member, value in (("alg", alg_name), ("enc", enc_name)):
        if value is None:
            out.find(
                "header.missing_member",
                "error",
                f"the header{where} has no '{member}' (RFC 7516 §4.1)",
            )
        elif not isinstance(value, str):
            out.find(
                "header.member_type",
                "error",
                f"the header{where}'s '{member}' is a {type(value).__name__}, not a string",
            )
    alg = KEY_MANAGEMENT.get(alg_name) if isinstance(alg_name, str) else None
    enc = CONTENT_ENCRYPTION.get(enc_name) if isinstance(enc_name, str) else None
    if isinstance(alg_name, str) and alg is None:
        out.find(
            "header.unsupported_alg",
            "error",
            f"alg {alg_name[:64]!r} is no key management algorithm of RFC 7518",
            "Check the spelling and case: " + ", ".join(sorted(KEY_MANAGEMENT)),
        )
    if isinstance(enc_name, str) and enc is None:
        out.find(
            "header.unsupported_enc",
            "error",
            f"enc {enc_name[:64]!r} is no content encryption algorithm of RFC 7518",
            "Check the spelling and case: " + ", ".join(sorted(CONTENT_ENCRYPTION)),
        )
    if alg is not None:
        message = f"alg {alg.name}: {alg.mode}, with a key of type {' or '.join(alg.key_types)}"
        out.imply("alg", "info", message)
        if alg.name in NOT_ALLOWED_BY_DEFAULT:
            out.find(
                "algorithm.not_allowed",
                "warning",
                f"alg {alg.name} is refused by default (RFC 8725 §3.2: padding-oracle attacks)",
                "Ask the sender for RSA-OAEP-256; accept it only with an explicit allow-list.",
            )
    if enc is not None:
        out.imply(
            "enc",
            "info",
            f"enc {enc.name}: a {enc.key_size}-byte CEK, a {enc.iv_size}-byte IV, "
            f"a {enc.tag_size}-byte tag",
        )
        for part, size, code in (
            ("iv", enc.iv_size, "iv.length"),
            ("tag", enc.tag_size, "tag.length"),
        ):
            found = lengths.get(part)
            if found is None:
                continue
            if found == size:
                out.imply(part, "ok", f"{part}: {found} bytes, as {enc.name} requires")
            else:
                out.imply(
                    part,
                    "differs",
                    f"{part}: {found} bytes, but {enc.name} uses {size}",
                    expected=f"{size} bytes",
                    found=f"{found} bytes",
                )
                out.find(
                    code, "error", f"the {part}{where} is {found} bytes; {enc.name} uses {size}"
                )
        _ciphertext(enc, lengths.get("ciphertext"), header, out)
    if alg is not None:
        _encrypted_key(alg, enc, lengths.get("encrypted key"), header, out, where)


def _ciphertext(enc: Any, found: int | None, header: Mapping[str, Any], out: _Builder) -> None:
    if found is None:
        return
    compressed = "zip" in header
    if enc.family == "aes_cbc_hmac":
        if found == 0 or found % 16:
            out.imply(
                "ciphertext",
                "differs",
                f"ciphertext: {found} bytes, not a whole number of 16-byte AES blocks",
                expected="a positive multiple of 16 bytes",
                found=f"{found} bytes",
            )
            out.find(
                "inspect.ciphertext_length",
                "error",
                f"{enc.name} ciphertext is {found} bytes; CBC with PKCS#7 padding gives a "
                "positive multiple of 16",
            )
            return
        plain = f"{found - 16} to {found - 1} bytes"
    else:
        plain = f"{found} bytes"
    what = "compressed plaintext" if compressed else "plaintext"
    out.imply("ciphertext", "ok", f"ciphertext: {found} bytes, so the {what} is {plain}")


def _encrypted_key(
    alg: Any,
    enc: Any,
    found: int | None,
    header: Mapping[str, Any],
    out: _Builder,
    where: str,
) -> None:
    if alg.mode in (Mode.DIRECT_ENCRYPTION, Mode.DIRECT_KEY_AGREEMENT):
        if found:
            out.imply(
                "encrypted key",
                "differs",
                f"encrypted key: {found} bytes, but {alg.name} sends none",
                expected="0 bytes",
                found=f"{found} bytes",
            )
            out.find(
                "key_management.encrypted_key_not_empty",
                "error",
                f"{alg.name} uses no encrypted key (RFC 7518 §4.5/§4.6), yet the token{where} "
                f"has {found} bytes there",
            )
        elif found == 0:
            out.imply("encrypted key", "ok", f"encrypted key: empty, as {alg.name} requires")
    elif alg.family in ("rsa_oaep", "rsa1_5") and found is not None:
        bits = found * 8
        out.imply(
            "encrypted key",
            "info",
            f"encrypted key: {found} bytes, so the recipient's RSA modulus is {bits} bits "
            "(RSA output is as long as the modulus)",
        )
        if bits < 2048:
            out.find(
                "key.size",
                "error",
                f"the encrypted key{where} is {found} bytes: an RSA key under 2048 bits, or a "
                "truncated part",
            )
    elif enc is not None and found is not None:
        wrapped = enc.key_size if alg.family == "aes_gcm_kw" else enc.key_size + 8
        how = "AES-GCM keeps the length" if alg.family == "aes_gcm_kw" else "AES key wrap adds 8"
        if found == wrapped:
            out.imply(
                "encrypted key",
                "ok",
                f"encrypted key: {found} bytes, the {enc.key_size}-byte CEK wrapped ({how})",
            )
        else:
            out.imply(
                "encrypted key",
                "differs",
                f"encrypted key: {found} bytes, but a wrapped {enc.key_size}-byte CEK is {wrapped}",
                expected=f"{wrapped} bytes",
                found=f"{found} bytes",
            )
            out.find(
                "key_management.encrypted_key_length",
                "error",
                f"the encrypted key{where} is {found} bytes; {alg.name} wrapping the "
                f"{enc.key_size}-byte CEK of {enc.name} gives {wrapped} ({how})",
            )
    _algorithm_members(alg, header, out, where)


def _algorithm_members(alg: Any, header: Mapping[str, Any], out: _Builder, where: str) -> None:
    """The header parameters an algorithm family needs (RFC 7518 §4.6-4.8)."""
    needs: dict[str, tuple[str, int | None]] = {}
    if alg.family == "aes_gcm_kw":
        needs = {"iv": ("a 12-byte base64url IV", 12), "tag": ("a 16-byte base64url tag", 16)}
    elif alg.family == "pbes2":
        needs = {"p2s": ("a base64url salt of 8 bytes or more", None)}
    for member, (description, size) in needs.items():
        value = header.get(member)
        if not isinstance(value, str):
            out.find(
                "header.param_missing",
                "error",
                f"{alg.name} needs the header member '{member}'{where}: {description}",
            )
            continue
        decoded = _decode(value)
        if decoded is not None and size is not None and len(decoded) != size:
            out.find(
                "header.param_length",
                "error",
                f"the header's '{member}' is {len(decoded)} bytes, not {size}",
            )
    if alg.family == "pbes2":
        p2c = header.get("p2c")
        if not isinstance(p2c, int) or isinstance(p2c, bool) or p2c < 1:
            out.find("header.p2c", "error", f"{alg.name} needs a positive integer 'p2c'")
        elif p2c > DEFAULT_LIMITS.max_p2c:
            out.find(
                "limits.exceeded",
                "error",
                f"p2c {p2c} is above decrypt's default cap of {DEFAULT_LIMITS.max_p2c}",
            )
        else:
            out.imply("p2c", "info", f"p2c: {p2c} PBKDF2 iterations")
    if alg.family == "ecdh_es":
        epk = header.get("epk")
        if isinstance(epk, str):
            out.find(
                "header.epk_string",
                "error",
                "'epk' is a JSON string; RFC 7518 §4.6.1.1 makes it a JWK object",
                "Put the ephemeral public key in the header as an object, not its JSON text.",
            )
        elif not isinstance(epk, dict):
            out.find("header.epk_missing", "error", f"{alg.name} needs an 'epk' JWK object")
        else:
            kty, crv = _brief(epk.get("kty"), 20), _brief(epk.get("crv"), 20)
            out.imply("epk", "info", f"epk: an ephemeral {kty} key on {crv!r}")


def _common_members(header: Mapping[str, Any], out: _Builder) -> None:
    if "kid" in header:
        kid = header["kid"]
        out.imply("kid", "info", f"kid {_brief(kid, 80)!r}: the recipient's key should have it")
    if "zip" in header:
        if header["zip"] == "DEF":
            out.imply("zip", "info", "zip DEF: the plaintext was DEFLATE-compressed before")
        else:
            out.find(
                "header.zip", "error", f"zip {_brief(header['zip'], 40)!r}: only 'DEF' is defined"
            )
    if "crit" in header:
        crit = _brief(header["crit"], 80)
        out.imply("crit", "info", f"crit {crit}: extensions that must be known")
