"""The encrypted key (RFC 7516 §5.2 step 9): the OAEP hash, MGF1's hash, OAEP or PKCS #1 v1.5,
and what it means when nothing this key can do opens it.

Every private-key operation and every PBKDF2 iteration is drawn from the diagnosis's Budget,
so that no hypothesis does more than decrypt() would allow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .. import algorithms as registry
from ..algorithms import ContentEncryption, KeyManagement
from ..errors import HeaderError, InvalidKeyError, JWEError
from ..keys import Key
from .findings import Budget, Finding, Messages, Option, say

# Each registered RSA-OAEP alg and the hash it names (for OAEP and MGF1 alike, RFC 7518 §4.3).
OAEP_HASHES: dict[str, str] = {
    km.name: km.hash_name
    for km in registry.KEY_MANAGEMENT.values()
    if km.family == "rsa_oaep" and km.hash_name is not None
}
_HASH_FACTORIES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "SHA-1": hashes.SHA1,
    "SHA-256": hashes.SHA256,
    "SHA-384": hashes.SHA384,
    "SHA-512": hashes.SHA512,
}
_OAEP_ALG_FOR_HASH = {value: name for name, value in OAEP_HASHES.items()}
_MISMATCH_FIX = (
    "Have the sender encrypt to your public key (check which JWKS or certificate they use, and "
    "its kid), or decrypt with the key they did use."
)
_GO_HASHES = {
    "SHA-1": "sha1.New()",
    "SHA-256": "sha256.New()",
    "SHA-384": "sha512.New384()",
    "SHA-512": "sha512.New()",
}


_SETTINGS = (
    'Java: new OAEPParameterSpec("{hash}", "MGF1", MGF1ParameterSpec.{java}, '
    "PSource.PSpecified.DEFAULT) passed to Cipher.init; Node: crypto.publicEncrypt({{key, "
    "padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha{bits}'}}, cek); Go: "
    "rsa.EncryptOAEP({go}, rand.Reader, pub, cek, nil); Python: padding.OAEP(mgf=padding.MGF1("
    "hashes.SHA{bits}()), algorithm=hashes.SHA{bits}(), label=None)."
)
MESSAGES: Messages = {
    "oaep.hash_mismatch": (
        "The header says {alg} (OAEP with {claimed}), but the CEK was encrypted with "
        "OAEP-{used}, which is {actual}: with {used} your key recovers the CEK. The usual "
        "cause is a platform default: Node's crypto.publicEncrypt hashes with SHA-1 unless "
        "given oaepHash, Java's 'RSA/ECB/OAEPPadding' and 'OAEPWithSHA-1AndMGF1Padding' are "
        "SHA-1, and Go's rsa.EncryptOAEP uses the hash it is handed.",
        "Make the two agree: send alg {actual!r}, or encrypt with OAEP-{claimed} as {alg} "
        "requires (RFC 7518 §4.3). {settings}",
    ),
    "oaep.mgf1_sha1": (
        "The CEK was encrypted with OAEP using {used} as its hash but SHA-1 inside MGF1. That "
        "is what Java's SunJCE provider (the JDK default) does for "
        'Cipher.getInstance("RSA/ECB/OAEPWith{used}AndMGF1Padding") without an '
        "OAEPParameterSpec: the name sets only the label hash, MGF1 stays SHA-1. The "
        'BouncyCastle provider ("BC") uses the named hash for MGF1 as well, so the same code '
        "works there and not with SunJCE. {alg} needs MGF1 with {used} too.",
        'Set MGF1\'s hash explicitly: in Java new OAEPParameterSpec("{used}", "MGF1", '
        "MGF1ParameterSpec.{java}, PSource.PSpecified.DEFAULT) passed to Cipher.init (then "
        "every provider agrees).",
    ),
    "oaep.pkcs1v15:oaep_under_rsa1_5": (
        "The header says RSA1_5 (PKCS #1 v1.5 padding), but the CEK was encrypted with OAEP, "
        "as {used}: read that way, your key recovers the CEK.",
        "Send alg {used!r}, which is what the sender does (and safer than RSA1_5).",
    ),
    "oaep.pkcs1v15": (
        "The header says {alg} (OAEP), but the CEK was encrypted with PKCS #1 v1.5 padding, "
        "which is RSA1_5: read that way, your key recovers the CEK. Java's "
        'Cipher.getInstance("RSA") is "RSA/ECB/PKCS1Padding" in SunJCE; Node\'s '
        "RSA_PKCS1_PADDING and Go's rsa.EncryptPKCS1v15 do the same.",
        "Encrypt the CEK with OAEP as {alg} requires. {settings}",
    ),
    "key.mismatch:rsa_size": (
        "The encrypted key is {length} bytes, so it was made with a {bits}-bit RSA key; yours "
        "is {key_bits}-bit. The CEK was encrypted to a different public key (or altered in "
        "transit).",
        _MISMATCH_FIX,
    ),
    "key.mismatch:rsa": (
        "OAEP with SHA-1, SHA-256, SHA-384 and SHA-512 (and MGF1-SHA-1 with each) all fail to "
        "open the encrypted key with this private key. The CEK was encrypted to a different "
        "public key (or altered in transit).",
        _MISMATCH_FIX,
    ),
    "key.mismatch": (
        "{alg} cannot recover the CEK with this key: the token was made for a different key "
        "(or its encrypted key was altered in transit).",
        _MISMATCH_FIX,
    ),
}


def _hash_facts(oaep_hash: str) -> dict[str, str]:
    """How each common platform names OAEP with ``oaep_hash`` for the label and MGF1 alike."""
    bits = oaep_hash.removeprefix("SHA-")
    java = oaep_hash.replace("-", "")
    settings = _SETTINGS.format(hash=oaep_hash, java=java, bits=bits, go=_GO_HASHES[oaep_hash])
    return {"java": java, "settings": settings}


def oaep_variants(alg: str) -> list[tuple[str, str]]:
    """(OAEP hash, MGF1 hash) pairs a peer might have used instead of the one ``alg`` names."""
    claimed = OAEP_HASHES[alg]
    same = [(h, h) for h in _HASH_FACTORIES if h != claimed]
    sha1_mgf = [(h, "SHA-1") for h in _HASH_FACTORIES if h != "SHA-1"]
    return same + sha1_mgf


def _oaep_decrypt(
    key: Key, encrypted_key: bytes, oaep_hash: str, mgf_hash: str, budget: Budget
) -> bytes | None:
    if not budget.key_operation():
        return None
    scheme = padding.OAEP(
        mgf=padding.MGF1(algorithm=_HASH_FACTORIES[mgf_hash]()),
        algorithm=_HASH_FACTORIES[oaep_hash](),
        label=None,
    )
    try:
        return bytes(key.material.decrypt(encrypted_key, scheme))
    except ValueError:
        return None


def _hash_mismatch(alg: str, oaep_hash: str) -> Finding:
    claimed = OAEP_HASHES[alg]
    return say(
        MESSAGES,
        "oaep.hash_mismatch",
        alg=alg,
        claimed=claimed,
        used=oaep_hash,
        actual=_OAEP_ALG_FOR_HASH[oaep_hash],
        **_hash_facts(claimed),
    )


def _mgf1_sha1(oaep_hash: str) -> Finding:
    alg = _OAEP_ALG_FOR_HASH[oaep_hash]
    return say(MESSAGES, "oaep.mgf1_sha1", alg=alg, used=oaep_hash, **_hash_facts(oaep_hash))


def _oaep_findings(alg: str, oaep_hash: str, mgf_hash: str) -> tuple[Finding, ...]:
    findings = []
    if oaep_hash != OAEP_HASHES[alg]:
        findings.append(_hash_mismatch(alg, oaep_hash))
    if mgf_hash == "SHA-1" and oaep_hash != "SHA-1":
        findings.append(_mgf1_sha1(oaep_hash))
    return tuple(findings)


def pkcs1_v15_message(key: Key, encrypted_key: bytes, budget: Budget) -> bytes | None:
    """The message inside RSAES-PKCS1-v1_5 padding (RFC 8017 §7.2.2), or None.

    Decoded by hand from the raw RSA result: OpenSSL's implicit rejection would answer a bad
    padding with a synthetic message instead of an error. A debugging aid can afford the
    branchy check; a server must not (RFC 3218).
    """
    numbers: rsa.RSAPrivateNumbers = key.material.private_numbers()
    modulus, exponent = numbers.public_numbers.n, numbers.d
    size = (modulus.bit_length() + 7) // 8
    value = int.from_bytes(encrypted_key, "big")
    if len(encrypted_key) != size or value >= modulus or not budget.key_operation():
        return None
    encoded = pow(value, exponent, modulus).to_bytes(size, "big")
    separator = encoded.find(b"\x00", 2)
    if encoded[:2] != b"\x00\x02" or separator < 10:  # 00 02, 8+ non-zero bytes, 00, message
        return None
    return encoded[separator + 1 :]


def _plausible_cek(message: bytes) -> bool:
    """A CEK size some enc uses, or twice one (hex text): with the padding check, this keeps a
    wrong key's random-looking result from passing for a CEK (odds about 1 in 10^7)."""
    sizes = {c.key_size for c in registry.CONTENT_ENCRYPTION.values()}
    return len(message) in sizes or len(message) in {2 * size for size in sizes}


def _scheme_finding(alg: str, used: str) -> Finding:
    if alg == "RSA1_5":
        return say(MESSAGES, "oaep.pkcs1v15:oaep_under_rsa1_5", used=used)
    return say(MESSAGES, "oaep.pkcs1v15", alg=alg, **_hash_facts(OAEP_HASHES.get(alg, "SHA-256")))


def _as_header_says(
    key: Key, km: KeyManagement, content: ContentEncryption, encrypted_key: bytes,
    header: dict[str, Any], budget: Budget,
) -> list[Option[tuple[bytes, str]]] | None:  # fmt: skip
    """The CEK recovered exactly as the header says, or None."""
    if km.family == "pbes2":
        p2c = header.get("p2c")
        count = p2c if isinstance(p2c, int) and not isinstance(p2c, bool) else 0
        if count > budget.limits.max_p2c:  # decrypt refuses it before deriving anything
            budget.refuse(f"a PBES2 p2c over Limits.max_p2c ({budget.limits.max_p2c})")
            return None
        if count > 0 and not budget.pbkdf2(count):
            return None
    elif km.family in ("rsa_oaep", "rsa1_5", "ecdh_es") and not budget.key_operation():
        return None
    if km.family == "rsa1_5" and isinstance(key.material, rsa.RSAPrivateKey):
        # Checked by hand: implicit rejection could make a wrong padding look like a CEK.
        message = pkcs1_v15_message(key, encrypted_key, budget)
        if message is not None and _plausible_cek(message):
            return [Option((message, km.name))]
        return None
    try:
        return [Option((km.unwrap(key, encrypted_key, content, header, budget.context()), km.name))]
    except (InvalidKeyError, HeaderError):  # the key cannot serve alg, or the header is
        raise  # unusable (an epk that is no key, no p2c): not the key's fault, for the caller
    except (JWEError, ValueError):  # ValueError: a primitive refusing odd input
        return None


def unwrap_options(
    key: Key,
    km: KeyManagement,
    content: ContentEncryption,
    encrypted_key: bytes,
    header: dict[str, Any],
    budget: Budget,
) -> list[Option[tuple[bytes, str]]]:
    """The CEK this key recovers, with the alg that actually recovered it: the header's, or
    (RSA) the OAEP hash or padding scheme the sender really used."""
    as_said = _as_header_says(key, km, content, encrypted_key, header, budget)
    if as_said is not None:
        return as_said
    if not isinstance(key.material, rsa.RSAPrivateKey) or km.family not in ("rsa_oaep", "rsa1_5"):
        return []
    if km.family == "rsa1_5":
        for oaep_hash, mgf_hash in [(h, h) for h in _HASH_FACTORIES] + oaep_variants("RSA-OAEP"):
            cek = _oaep_decrypt(key, encrypted_key, oaep_hash, mgf_hash, budget)
            if cek is not None:
                actual = _OAEP_ALG_FOR_HASH[oaep_hash]
                findings: tuple[Finding, ...] = (_scheme_finding(km.name, actual),)
                if mgf_hash != oaep_hash:
                    findings += _oaep_findings(actual, oaep_hash, mgf_hash)
                return [Option((cek, actual), findings)]
        return []
    for oaep_hash, mgf_hash in oaep_variants(km.name):
        cek = _oaep_decrypt(key, encrypted_key, oaep_hash, mgf_hash, budget)
        if cek is not None:
            actual = _OAEP_ALG_FOR_HASH[oaep_hash]
            return [Option((cek, actual), _oaep_findings(km.name, oaep_hash, mgf_hash))]
    message = pkcs1_v15_message(key, encrypted_key, budget)
    if message is not None and _plausible_cek(message):
        return [Option((message, "RSA1_5"), (_scheme_finding(km.name, "RSA1_5"),))]
    return []


def key_mismatch_finding(key: Key, km: KeyManagement, encrypted_key: bytes) -> Finding:
    """key.mismatch: nothing this key can do opens the encrypted key."""
    if km.family == "rsa_oaep" and isinstance(key.material, rsa.RSAPrivateKey):
        size = key.material.key_size
        if len(encrypted_key) != (size + 7) // 8:
            length = len(encrypted_key)
            facts = {"length": length, "bits": 8 * length, "key_bits": size}
            return say(MESSAGES, "key.mismatch:rsa_size", **facts)
        return say(MESSAGES, "key.mismatch:rsa")
    return say(MESSAGES, "key.mismatch", alg=km.name)
