"""The same stage in Python, Java, Node.js and Go, read from the recipe programs in ``recipes/``.

    >>> from jwe_steps.view.recipes import recipe_stage
    >>> recipe_stage("encrypted_key")                       # four panels side by side in Jupyter
    >>> recipe_stage("content", languages=("java", "go"))   # just those two
    >>> print(recipe_stage("sign"))                         # plain text

The code shown is cut from the recipe files by their stage markers (``# --- stage: NAME ---`` /
``// --- stage: NAME ---`` ... ``--- end stage ---``) each time, never kept as a second copy,
so what a notebook shows is exactly what ``recipes/run`` executes and the tests check. A
"your language's trap" note sits under each panel where that language's default differs from
what RSA-OAEP-256 + A256GCM (or ES256) needs.

The recipe files ship with the repository, not with the wheel: they are found at
``<repository>/recipes`` next to this package, or wherever ``$JWE_STEPS_RECIPES`` points. Nothing
here reads the network or computes cryptography.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .palette import BAD_COLOR, FOREGROUND, MONO, MUTED, RULE

LANGUAGES: dict[str, tuple[str, str]] = {
    # language: (its name on screen, the recipe file under recipes/)
    "python": ("Python · cryptography", "python/stages.py"),
    "java": ("Java · javax.crypto", "java/src/main/java/recipes/Stages.java"),
    "node": ("Node.js · node:crypto", "node/stages.mjs"),
    "go": ("Go · crypto/rsa, crypto/cipher", "go/stages/main.go"),
}

# stage: (title, RFC steps, the notebook that opens it up)
STAGES: dict[str, tuple[str, str, str]] = {
    "jwk": ("Reading the recipient's public JWK", "RFC 7517 §4, RFC 7518 §6.3", "02"),
    "header": ("The protected header", "RFC 7516 §5.1 steps 1-2, 11-13", "01"),
    "cek": ("A fresh Content Encryption Key", "RFC 7516 §5.1 step 2", "03"),
    "encrypted_key": ("RSA-OAEP-256: encrypting the CEK", "RFC 7516 §5.1 step 4", "03"),
    "iv": ("A fresh 96-bit IV", "RFC 7516 §5.1 step 9", "04"),
    "aad": ("The AAD: the header's base64url text", "RFC 7516 §5.1 step 14", "04"),
    "content": ("AES-256-GCM: ciphertext and tag", "RFC 7516 §5.1 step 15", "04"),
    "compact": ("The compact serialization", "RFC 7516 §5.1 step 19, §7.1", "05"),
    "parse": ("Parsing and checking a received token", "RFC 7516 §5.2 steps 1-5", "05"),
    "decrypt_key": ("RSA-OAEP-256: decrypting the CEK", "RFC 7516 §5.2 steps 9-10", "06"),
    "decrypt_content": ("AES-256-GCM: tag check, decryption", "RFC 7516 §5.2 steps 14-16", "06"),
    "sign": ("ES256: the JWS inside the JWE", "RFC 7515 §5.1, RFC 7518 §3.4", "11"),
    "verify": ("Verifying the server's JWS (PS256 or ES256)", "RFC 7515 §5.2", "11"),
    "claims": ("Checking the answer's claims", "RFC 7519 §4.1, RFC 8725 §3.3", "09, 11"),
}  # fmt: skip

_DER_TRAP = (
    "ECDSA signatures come out DER-encoded (SEQUENCE {{ r, s }}, 70-72 bytes); JWS wants the raw "
    "64 bytes r || s, each left-padded to 32. {how}"
)

# (stage, language): where that language's default differs from what the token needs.
TRAPS: dict[tuple[str, str], str] = {
    ("encrypted_key", "java"): (
        'Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding") alone uses SHA-256 for the '
        "label but MGF1 with SHA-1 in SunJCE: other libraries then fail to decrypt the CEK. Pass "
        "an OAEPParameterSpec naming both hashes (`explain` reports the mistake as "
        '"oaep.mgf1_sha1").'
    ),
    ("encrypted_key", "node"): (
        "crypto.publicEncrypt's oaepHash defaults to 'sha1', which makes RSA-OAEP, not "
        "RSA-OAEP-256; set oaepHash: 'sha256' (it covers MGF1 too). `explain` reports a SHA-1 "
        'CEK as "oaep.hash_mismatch".'
    ),
    ("encrypted_key", "go"): (
        "rsa.EncryptOAEP takes the hash as its first argument and uses it for MGF1 as well: "
        "sha1.New() there is RSA-OAEP, sha256.New() is RSA-OAEP-256."
    ),
    ("encrypted_key", "python"): (
        "padding.OAEP takes two hashes, mgf=MGF1(...) and algorithm=...; RSA-OAEP-256 needs "
        'SHA-256 in both. SHA-256 with MGF1-SHA-1 is "oaep.mgf1_sha1" in `explain`.'
    ),
    ("decrypt_key", "java"): (
        "The same OAEPParameterSpec on decryption: without it SunJCE expects MGF1-SHA-1 and "
        "every CEK from another library fails to decrypt. SunJCE also takes an encrypted key "
        "shorter than the modulus (its leading zero byte dropped): check that it is exactly k "
        "bytes (RFC 8017 §7.1.2), or one CEK has two spellings."
    ),
    ("decrypt_key", "node"): (
        "privateDecrypt also needs oaepHash: 'sha256', or it unpads with SHA-1. It also opens an "
        "encrypted key shorter than the modulus (its leading zero byte dropped): check that it "
        "is exactly k bytes (RFC 8017 §7.1.2)."
    ),
    ("decrypt_key", "go"): (
        "rsa.DecryptOAEP reads an encrypted key shorter than the modulus as if zeros led it: "
        "check len(encryptedKey) == privateKey.Size() first (RFC 8017 §7.1.2 step 1)."
    ),
    ("content", "java"): (
        "Cipher.doFinal returns ciphertext || tag in one array. JWE sends them as two parts: "
        'split off the last 16 bytes. A tag left on the ciphertext is "tag.appended_to_ciphertext" '
        "in `explain`."
    ),
    ("content", "go"): (
        "gcm.Seal returns ciphertext || tag: split off the last gcm.Overhead() (16) bytes."
    ),
    ("content", "python"): (
        "AESGCM.encrypt returns ciphertext || tag: the last 16 bytes are the tag."
    ),
    ("content", "node"): (
        "The tag is not in the output of update/final: read it with getAuthTag() after final()."
    ),
    ("decrypt_content", "node"): (
        "Without authTagLength: 16, createDecipheriv accepts a tag truncated to as little as 4 "
        "bytes, and a forger needs far fewer tries. Always state the length."
    ),
    ("decrypt_content", "java"): (
        "doFinal wants ciphertext || tag: append the tag part back before decrypting."
    ),
    ("decrypt_content", "go"): "gcm.Open wants ciphertext || tag, as one slice.",
    ("decrypt_content", "python"): "AESGCM.decrypt wants ciphertext || tag, as one bytes value.",
    ("parse", "node"): (
        "Buffer.from(text, 'base64url') skips characters outside the alphabet without a word: "
        "check the text first. JSON.parse keeps the last of duplicate members without a word "
        "(RFC 7515 §4 allows that, or refusing them): the recipe checks for them itself."
    ),
    ("parse", "go"): (
        "Use base64.RawURLEncoding.Strict(): without Strict, non-zero trailing bits pass. "
        "encoding/json keeps the last of duplicate members and replaces invalid UTF-8 (check "
        "utf8.Valid first), and a Decoder stops after the first value: the recipe reads the "
        "header token by token, refusing duplicates and anything after the object."
    ),
    ("sign", "java"): _DER_TRAP.format(
        how='Signature "SHA256withECDSA" gives DER; convert it, '
        'or use "SHA256withECDSAinP1363Format".'
    ),
    ("sign", "node"): _DER_TRAP.format(
        how="crypto.sign gives DER unless dsaEncoding: 'ieee-p1363'."
    ),
    ("sign", "go"): _DER_TRAP.format(
        how="ecdsa.SignASN1 gives DER; unpack r and s and FillBytes each into 32 bytes."
    ),
    ("sign", "python"): _DER_TRAP.format(
        how="key.sign gives DER; decode_dss_signature, then to_bytes(32, 'big') each."
    ),
    ("verify", "node"): (
        "For PS256 state saltLength: 32 (the hash length, RFC 7518 §3.5): crypto.sign's default "
        "is the maximum salt length, which other libraries refuse."
    ),
    ("verify", "go"): (
        "rsa.PSSOptions{SaltLength: 0} means PSSSaltLengthAuto: on verify any salt length "
        "passes, on sign the maximum is used. State 32 for PS256."
    ),
    ("verify", "python"): (
        "Examples often use PSS.MAX_LENGTH for the salt; PS256 needs salt_length=32."
    ),
    ("verify", "java"): (
        'ES256 arrives as raw r || s; Signature "SHA256withECDSA" wants DER back, so re-encode it.'
    ),
}  # fmt: skip

_START = re.compile(r"^\s*(?:#|//) --- stage: (?P<name>[a-z_]+) ---\s*$")
_END = re.compile(r"^\s*(?:#|//) --- end stage ---\s*$")


class RecipesNotFound(FileNotFoundError):
    """The recipe files are not where this installation looked for them."""


class RecipeMarkerError(ValueError):
    """A recipe file's stage markers are missing, repeated or unbalanced."""


def recipes_dir() -> Path:
    """``$JWE_STEPS_RECIPES``, else ``recipes/`` at the root of the repository of this package."""
    configured = os.environ.get("JWE_STEPS_RECIPES")
    folder = Path(configured) if configured else Path(__file__).resolve().parents[2] / "recipes"
    if not (folder / "run").is_file():
        raise RecipesNotFound(
            f"the recipe programs are not at {folder}: they ship with the jwe-steps repository "
            "(its recipes/ folder), not with an installed wheel. Run the notebooks from a clone, "
            "or set JWE_STEPS_RECIPES to the recipes/ folder of one."
        )
    return folder


@dataclass(frozen=True)
class Snippet:
    """One language's code for one stage, with where it was cut from."""

    language: str
    label: str
    path: str  # relative to the repository root, e.g. "recipes/go/stages/main.go"
    first_line: int  # 1-based, the first line of code after the start marker
    last_line: int
    code: str
    trap: str | None


def stages_in(text: str, where: str) -> dict[str, tuple[int, int, str]]:
    """Every marked stage in a recipe file: name -> (first line, last line, dedented code)."""
    found: dict[str, tuple[int, int, str]] = {}
    open_name: str | None = None
    start = 0
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        begin, end = _START.match(line), _END.match(line)
        if begin:
            if open_name is not None:
                raise RecipeMarkerError(
                    f"{where}:{number}: stage {begin['name']!r} opens inside {open_name!r}"
                )
            if begin["name"] in found:
                raise RecipeMarkerError(
                    f"{where}:{number}: stage {begin['name']!r} is marked twice"
                )
            open_name, start = begin["name"], number
        elif end:
            if open_name is None:
                raise RecipeMarkerError(f"{where}:{number}: 'end stage' without a stage")
            body = lines[start : number - 1]
            while body and not body[-1].strip():  # gofmt leaves a blank line before the marker
                body.pop()
            found[open_name] = (start + 1, start + len(body), textwrap.dedent("\n".join(body)))
            open_name = None
    if open_name is not None:
        raise RecipeMarkerError(f"{where}: stage {open_name!r} is never closed")
    return found  # fmt: skip


def snippet(stage: str, language: str) -> Snippet:
    """The code of ``stage`` in ``language``'s recipe, read from its file now."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}: expected one of {', '.join(STAGES)}")
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: expected one of {', '.join(LANGUAGES)}")
    label, relative = LANGUAGES[language]
    path = recipes_dir() / relative
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RecipesNotFound(
            f"cannot read the {language} recipe {path}: {error.strerror}"
        ) from None
    where = f"recipes/{relative}"
    marked = stages_in(text, where)
    if stage not in marked:
        raise RecipeMarkerError(f"{where} has no stage {stage!r} (it marks {', '.join(marked)})")
    first, last, code = marked[stage]
    return Snippet(language, label, where, first, last, code, TRAPS.get((stage, language)))


@dataclass(frozen=True)
class RecipeStage:
    """One stage in several languages. ``str()`` gives text; in Jupyter it renders as HTML."""

    stage: str
    snippets: tuple[Snippet, ...]

    @property
    def title(self) -> str:
        return STAGES[self.stage][0]

    def html(self) -> str:
        return recipe_stage_html(self)

    def _repr_html_(self) -> str:
        return recipe_stage_html(self)

    def __str__(self) -> str:
        title, rfc, notebook = STAGES[self.stage]
        out = [f"{title} ({rfc}; notebook {notebook})"]
        for item in self.snippets:
            out.append(f"\n--- {item.label}: {item.path} lines {item.first_line}-{item.last_line}")
            out.append(item.code)
            if item.trap:
                out.append(f"! your language's trap: {item.trap}")
        return "\n".join(out)


def recipe_stage(
    stage: str, languages: Iterable[str] = ("python", "java", "node", "go")
) -> RecipeStage:
    """``stage`` as the recipes in ``languages`` do it, cut from the recipe files by their markers.

    Raises ``ValueError`` for an unknown stage or language, ``RecipeMarkerError`` when a file's
    markers are broken, and ``RecipesNotFound`` when the recipe files are not installed here.
    """
    chosen = tuple(languages)
    if not chosen:
        raise ValueError("name at least one language")
    return RecipeStage(stage, tuple(snippet(stage, language) for language in chosen))


_PANEL = (
    f"border:1px solid {RULE};border-radius:4px;padding:4px 8px;min-width:0;"
    f"color:{FOREGROUND};display:flex;flex-direction:column"
)
_PRE = (
    f"font-family:{MONO};font-size:0.82em;line-height:1.35;margin:4px 0;padding:0;"
    "white-space:pre;tab-size:4;overflow-x:auto;background:transparent"
)
_TRAP = (
    f"border-left:3px solid {BAD_COLOR};padding:2px 8px;margin-top:auto;font-size:0.85em;"
    "background:rgba(213,94,0,0.08)"
)


def recipe_stage_html(view: RecipeStage) -> str:
    title, rfc, notebook = STAGES[view.stage]
    panels = []
    for item in view.snippets:
        trap = (
            f'<div class="jwe-steps-trap" style="{_TRAP}"><b>Your language\'s trap:</b> '
            f"{escape(item.trap)}</div>"
            if item.trap
            else ""
        )
        panels.append(
            f'<div class="jwe-steps-recipe" data-language="{escape(item.language)}" '
            f'style="{_PANEL}">'
            f"<div><b>{escape(item.label)}</b> "
            f'<span style="color:{MUTED};font-size:0.85em">{escape(item.path)} lines '
            f"{item.first_line}-{item.last_line}</span></div>"
            f'<pre style="{_PRE}"><code>{escape(item.code)}</code></pre>{trap}</div>'
        )
    columns = "repeat(auto-fit,minmax(30em,1fr))"
    return (
        f'<div class="jwe-steps-recipes" data-stage="{escape(view.stage)}" '
        f'style="color:{FOREGROUND}">'
        f"<div><b>{escape(title)}</b> in your language "
        f'<span style="color:{MUTED}">({escape(rfc)}; notebook {escape(notebook)}; run it with '
        f"<code>recipes/run LANG ...</code>)</span></div>"
        f'<div style="display:grid;grid-template-columns:{columns};gap:8px;margin-top:4px">'
        f"{''.join(panels)}</div></div>"
    )


__all__ = [
    "LANGUAGES",
    "STAGES",
    "TRAPS",
    "RecipeMarkerError",
    "RecipeStage",
    "RecipesNotFound",
    "Snippet",
    "recipe_stage",
    "recipe_stage_html",
    "recipes_dir",
    "snippet",
    "stages_in",
]
