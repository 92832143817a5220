"""jwe_steps.view.recipes: each stage cut from the recipe files by its markers, never a copy."""

from __future__ import annotations

import shutil
import textwrap

import pytest
from conftest import ROOT

from jwe_steps.view.recipes import (
    LANGUAGES,
    STAGES,
    TRAPS,
    RecipeMarkerError,
    RecipesNotFound,
    recipe_stage,
    stages_in,
)

# One line each stage's code must contain in each language: the call that *is* the stage.
ESSENTIAL = {
    "encrypted_key": {
        "python": "mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256()",
        "java": 'Cipher.getInstance("RSA/ECB/OAEPPadding")',
        "node": "oaepHash: 'sha256'",
        "go": "rsa.EncryptOAEP(sha256.New(), rand.Reader, publicKey, cek, nil)",
    },
    "content": {
        "python": "AESGCM(cek).encrypt(iv, plaintext, aad)",
        "java": 'Cipher.getInstance("AES/GCM/NoPadding")',
        "node": "cipher.getAuthTag()",
        "go": "gcm.Seal(nil, iv, plaintext, aad)",
    },
    "decrypt_content": {
        "python": "AESGCM(cek).decrypt(iv, ciphertext + tag, aad)",
        "java": "gcm.doFinal(sealed)",
        "node": "decipher.setAuthTag(tag)",
        "go": "gcm.Open(nil, iv,",
    },
    "sign": {
        "python": "decode_dss_signature(der)",
        "java": "byte[] der = ecdsa.sign();",
        "node": "dsaEncoding: 'ieee-p1363'",
        "go": "ecdsa.SignASN1(rand.Reader, key, digest[:])",
    },
}


@pytest.mark.parametrize("stage", list(STAGES))
def test_every_stage_is_marked_once_in_every_language(stage):
    view = recipe_stage(stage)
    assert [item.language for item in view.snippets] == ["python", "java", "node", "go"]
    for item in view.snippets:
        assert item.code.strip(), (stage, item.language)
        assert "--- stage:" not in item.code and "--- end stage ---" not in item.code


@pytest.mark.parametrize("stage", list(STAGES))
def test_the_code_shown_is_the_file_itself(stage):
    """Read the named lines straight from the file: the view holds no second copy."""
    for item in recipe_stage(stage).snippets:
        lines = (ROOT / item.path).read_text(encoding="utf-8").splitlines()
        assert lines[item.first_line - 2].strip().endswith(f"--- stage: {stage} ---")
        assert textwrap.dedent("\n".join(lines[item.first_line - 1 : item.last_line])) == item.code


@pytest.mark.parametrize("stage", list(ESSENTIAL))
def test_each_stage_holds_its_defining_call(stage):
    for item in recipe_stage(stage).snippets:
        assert ESSENTIAL[stage][item.language] in item.code, (stage, item.language)


def test_html_has_one_panel_per_language_and_the_traps():
    view = recipe_stage("encrypted_key")
    html = view._repr_html_()
    assert html == view.html()
    assert html.count('class="jwe-steps-recipe"') == 4
    assert 'data-stage="encrypted_key"' in html
    assert html.count('class="jwe-steps-trap"') == 4  # every language has an OAEP trap
    assert "OAEPWithSHA-256AndMGF1Padding" in html and "MGF1 with SHA-1 in SunJCE" in html
    assert "oaepHash: &#x27;sha256&#x27;" in html  # the code is escaped, not injected
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_a_stage_without_a_trap_shows_no_trap_box():
    html = recipe_stage("iv").html()
    assert 'class="jwe-steps-trap"' not in html


def test_languages_can_be_chosen_and_text_names_files_and_lines():
    view = recipe_stage("sign", languages=("go", "java"))
    assert [item.language for item in view.snippets] == ["go", "java"]
    text = str(view)
    assert "recipes/go/stages/main.go lines " in text and "your language's trap" in text
    assert "recipes/python" not in text


@pytest.mark.parametrize(
    ("stage", "languages"),
    [("nope", ("python",)), ("cek", ("cobol",)), ("cek", ())],
)
def test_unknown_stage_or_language_is_refused(stage, languages):
    with pytest.raises(ValueError):
        recipe_stage(stage, languages)


def test_every_trap_names_a_known_stage_and_language():
    for stage, language in TRAPS:
        assert stage in STAGES and language in LANGUAGES


@pytest.mark.parametrize(
    "text",
    [
        "# --- stage: cek ---\nx\n# --- stage: iv ---\ny\n# --- end stage ---\n",
        "# --- stage: cek ---\nx\n# --- end stage ---\n# --- stage: cek ---\nx\n# --- end stage ---\n",
        "# --- stage: cek ---\nx\n",
        "x\n// --- end stage ---\n",
    ],
    ids=["nested", "twice", "unclosed", "end-without-start"],
)
def test_broken_markers_are_reported(text):
    with pytest.raises(RecipeMarkerError):
        stages_in(text, "example")


def test_edits_to_a_recipe_show_up_at_once(tmp_path, monkeypatch):
    copy = tmp_path / "recipes"
    shutil.copytree(
        ROOT / "recipes", copy, ignore=shutil.ignore_patterns("node_modules", "target", "bin")
    )
    path = copy / "go" / "stages" / "main.go"
    path.write_text(
        path.read_text().replace("iv := make([]byte, 12)", "iv := make([]byte, 12) // edited")
    )
    monkeypatch.setenv("JWE_STEPS_RECIPES", str(copy))
    assert "// edited" in recipe_stage("iv", ("go",)).snippets[0].code
    path.write_text(path.read_text().replace("// --- stage: iv ---", "// (marker removed)"))
    with pytest.raises(RecipeMarkerError):
        recipe_stage("iv", ("go",))


def test_without_the_recipe_files_it_says_where_they_come_from(tmp_path, monkeypatch):
    monkeypatch.setenv("JWE_STEPS_RECIPES", str(tmp_path / "nowhere"))
    with pytest.raises(RecipesNotFound, match="not with an installed wheel"):
        recipe_stage("cek")
