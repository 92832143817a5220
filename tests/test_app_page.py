"""The debugging page's logic without a browser: jwe_steps.app.DebugPage and its server command.

The page in a real browser (served by Voila, driven by Chromium) is tests/browser/test_app.py.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from html import unescape
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

import jwe_steps
from jwe_steps.app import DebugPage, KeyTextError, independent_checks, parse_key_text
from jwe_steps.app import server as app_server
from jwe_steps.b64 import b64url_encode
from jwe_steps.cli import main
from jwe_steps.examples import RFC7516_A1
from jwe_steps.exercises.debugging_broken_tokens import appended_tag_token, oaep_token

DEMO_JWK = RFC7516_A1.demo_key().to_jwk(private=True)  # the RFC's published DEMO key


def _badges(html: str) -> list[str]:
    return re.findall(r'class="jwe-badge jwe-badge-(\w+)"', html)


def test_an_empty_page_asks_for_a_token():
    page = DebugPage()
    assert page.explanation is None and page.report_json is None
    assert "Paste a token" in page.status.value
    assert page.anatomy.value == page.stages.value == page.report.value == ""


def test_a_token_alone_shows_its_anatomy_and_header_but_no_stages():
    trace = jwe_steps.encrypt(b"hi", RFC7516_A1.demo_key(), alg="RSA-OAEP-256", enc="A256GCM")
    page = DebugPage(trace.token)
    assert page.explanation is None and page.report_json is None
    text = unescape(page.anatomy.value)
    for part in trace.token.split("."):
        assert part[:20] in text
    assert '"alg": "RSA-OAEP-256"' in text and '"enc": "A256GCM"' in text
    assert "No key" in page.status.value
    assert page.stages.value == page.report.value == ""


def test_without_a_key_the_page_shows_what_the_token_alone_says():
    inspection = pytest.importorskip(
        "jwe_steps.inspection", reason="jwe_steps.inspection (jwe-steps inspect) is not here yet"
    )
    token = appended_tag_token()
    page = DebugPage(token)
    report = inspection.inspect_token(token)
    assert report.codes, "an empty tag part is something the token alone shows"
    assert re.findall(r'<li data-code="([\w.]+)"', page.anatomy.value) == report.codes
    assert "not well formed" in page.anatomy.value or report.well_formed


def test_a_broken_token_and_its_key_give_the_diagnosis_and_the_redacted_report():
    token = appended_tag_token()
    page = DebugPage(token, json.dumps(DEMO_JWK))
    assert page.explanation is not None and not page.explanation.ok
    assert page.explanation.failed_stage == "tag"
    codes = {finding.code for finding in page.explanation.diagnosis}
    assert "tag.appended_to_ciphertext" in codes
    assert 'data-code="tag.appended_to_ciphertext"' in page.diagnosis.value
    assert "jwe-app-failed-stage" in page.diagnosis.value
    assert page.checked == []  # it stops before the AAD is formed: nothing to witness yet
    # The report is explain's own redacted JSON, and nothing secret is in it.
    expected = jwe_steps.explain(token, RFC7516_A1.demo_key()).redacted().to_json()
    assert page.report_json == expected
    report = json.loads(page.report_json)
    assert report["ok"] is False and report["error"]["code"] == "tag.length"
    assert b64url_encode(RFC7516_A1.cek) not in page.report_json
    assert DEMO_JWK["d"] not in page.report_json and DEMO_JWK["p"] not in page.report_json
    # The textarea the copy button reads holds exactly that report.
    box = re.search(r"<textarea[^>]*>(.*)</textarea>", page.report.value, re.S)
    assert box and unescape(box.group(1)) == page.report_json
    assert 'class="jwe-app-copy"' in page.report.value
    # Every stage that ran has a card; the rejection has its own.
    for name in ("encoded_protected_header", "encrypted_key", "iv", "ciphertext"):
        assert name in page.stages.value
    assert "rejected" in page.stages.value


def test_another_mistake_another_diagnosis():
    page = DebugPage(oaep_token(), json.dumps(DEMO_JWK))
    assert page.explanation is not None and not page.explanation.ok
    assert "oaep.hash_mismatch" in {finding.code for finding in page.explanation.diagnosis}


def test_a_good_token_decrypts_and_its_stages_carry_independent_badges():
    trace = jwe_steps.encrypt(b'{"pan":"ABCDE1234F"}', RFC7516_A1.demo_key(),
                              alg="RSA-OAEP-256", enc="A256GCM")  # fmt: skip
    page = DebugPage(trace.token, json.dumps(DEMO_JWK))
    assert page.explanation is not None and page.explanation.ok
    assert page.checked == ["aad", "ciphertext", "tag"]
    assert _badges(page.stages.value).count("verified") == 3
    assert "nothing to diagnose" in page.diagnosis.value
    assert "ABCDE1234F" not in page.report_json  # the plaintext is redacted


def test_a_token_with_a_wrong_tag_still_has_its_aad_witnessed():
    trace = jwe_steps.encrypt(b"hi", RFC7516_A1.demo_key(), alg="RSA-OAEP-256", enc="A256GCM")
    parts = trace.token.split(".")
    tag = bytearray(jwe_steps.b64.b64url_decode(parts[4]))
    tag[0] ^= 1
    page = DebugPage(".".join([*parts[:4], b64url_encode(bytes(tag))]), json.dumps(DEMO_JWK))
    assert page.explanation is not None
    assert page.explanation.failed_stage == "content_decryption"
    assert page.checked == ["aad"]
    assert _badges(page.stages.value) == ["verified"]


@pytest.mark.parametrize("enc", ["A128CBC-HS256", "A128GCM"])
def test_the_independent_check_can_fail(enc: str):
    """A trace whose plaintext no longer matches its ciphertext gets a 'differs' badge."""
    trace = jwe_steps.encrypt(b"the real plaintext", RFC7516_A1.demo_key(),
                              alg="RSA-OAEP-256", enc=enc)  # fmt: skip
    explanation = jwe_steps.explain(trace.token, RFC7516_A1.demo_key())
    steps = explanation.trace.steps
    index = next(i for i, step in enumerate(steps) if step.name == "plaintext")
    steps[index] = replace(steps[index], value=b"another plaintext!")
    assert independent_checks(explanation) == ["aad", "ciphertext", "tag"]
    badges = _badges(jwe_steps.view.step_cards(explanation).html())
    assert badges.count("differs") == 2 and badges.count("verified") == 1


def test_keys_as_jwks_and_pem_are_read():
    token = appended_tag_token()
    key_set = json.dumps({"keys": [DEMO_JWK]})
    pem = (
        RFC7516_A1.demo_key()
        .material.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    for text in (key_set, pem):
        page = DebugPage(token, text)
        assert page.explanation is not None
        assert "tag.appended_to_ciphertext" in {f.code for f in page.explanation.diagnosis}


@pytest.mark.parametrize("text", ["not a key", "[1, 2]", '"a string"'])
def test_a_key_that_is_no_key_is_refused_without_echoing_it(text: str):
    with pytest.raises(KeyTextError):
        parse_key_text(text)
    page = DebugPage(appended_tag_token(), text)
    assert isinstance(page.error, KeyTextError) and page.explanation is None
    assert "jwe-app-error" in page.status.value
    assert text not in page.status.value


def test_a_bad_jwk_names_its_code_and_never_shows_private_values():
    broken = {**DEMO_JWK, "n": "AQAB"}  # a modulus that does not fit the private values
    page = DebugPage(appended_tag_token(), json.dumps(broken))
    assert isinstance(page.error, jwe_steps.JWEError)
    assert f'data-code="{page.error.code}"' in page.status.value
    assert DEMO_JWK["d"] not in page.status.value


def test_hostile_header_text_is_escaped_everywhere():
    kid = '<img src=x onerror="alert(1)">'
    trace = jwe_steps.encrypt(b"hi", RFC7516_A1.demo_key(), alg="RSA-OAEP-256", enc="A256GCM",
                              header={"kid": kid})  # fmt: skip
    parts = trace.token.split(".")
    broken = ".".join([*parts[:4], ""])  # no tag: decryption stops, explain reports it
    page = DebugPage(broken, json.dumps(DEMO_JWK))
    assert page.explanation is not None and not page.explanation.ok
    for html in (page.anatomy.value, page.diagnosis.value, page.stages.value, page.report.value):
        assert "<img" not in html


def test_changing_a_box_redraws_the_page():
    page = DebugPage(appended_tag_token())
    assert page.explanation is None
    page.key.value = json.dumps(DEMO_JWK)
    assert page.explanation is not None and page.explanation.failed_stage == "tag"
    page.token.value = ""
    assert page.explanation is None and page.report.value == ""


# ---------------------------------------------------------------- the server command


def test_the_server_command_serves_the_page_on_loopback_with_the_offline_template():
    command = app_server.voila_command(8123)
    assert command[1:4] == ["-m", "voila", str(app_server.PAGE)]
    assert "--Voila.ip=127.0.0.1" in command and "--port=8123" in command
    assert "--token" in command and "--no-browser" in command
    assert f"--template={app_server.TEMPLATE}" in command
    template = app_server.DATA_DIR / "voila" / "templates" / app_server.TEMPLATE
    assert json.loads((template / "conf.json").read_text())["base_template"] == "lab"
    assert "https://" not in (template / "index.html.j2").read_text()
    env = app_server.app_environment("t0ken", {"JUPYTER_PATH": "/elsewhere", "HOME": "/h"})
    assert env["JUPYTER_PATH"].split(":") == [str(app_server.DATA_DIR), "/elsewhere"]
    assert env["JUPYTER_TOKEN"] == "t0ken" and env["HOME"] == "/h"
    env = app_server.app_environment("t0ken", {"JUPYTER_PATH": "/elsewhere"}, Path("/kernel"))
    assert env["JUPYTER_PATH"].split(":") == [str(app_server.DATA_DIR), "/kernel", "/elsewhere"]
    notebook = json.loads(app_server.PAGE.read_text())
    assert notebook["metadata"]["kernelspec"]["name"] == app_server.KERNEL
    assert ["".join(cell["source"]) for cell in notebook["cells"]][-1].endswith("DebugPage()")


def test_the_page_kernel_is_this_interpreter(tmp_path: Path):
    folder = app_server.write_kernel_spec(tmp_path)
    spec = json.loads((folder / "kernels" / app_server.KERNEL / "kernel.json").read_text())
    assert spec["argv"][:3] == [sys.executable, "-m", "ipykernel_launcher"]
    assert "{connection_file}" in spec["argv"]


def test_jwe_steps_app_dry_run_prints_the_url_with_its_token(capsys: pytest.CaptureFixture[str]):
    assert main(["app", "--dry-run", "--port", "8124"]) == 0
    out = capsys.readouterr().out.splitlines()
    url = re.fullmatch(r"Debugging page: (http://127\.0\.0\.1:8124/\?token=([0-9a-f]{48}))", out[0])
    assert url, out
    assert "-m voila" in out[1] and "--port=8124" in out[1]
    assert main(["app", "--dry-run", "--port", "8124"]) == 0
    assert url.group(2) not in capsys.readouterr().out  # a new token each time


@pytest.mark.parametrize("port", ["0", "70000"])
def test_jwe_steps_app_refuses_a_bad_port(port: str, capsys: pytest.CaptureFixture[str]):
    assert main(["app", "--dry-run", "--port", port]) == 2
    assert "--port" in capsys.readouterr().err


def test_make_app_runs_jwe_steps_app_on_its_port():
    import subprocess

    from conftest import ROOT

    result = subprocess.run(
        ["make", "-s", "-o", "install", "app", "DRY_RUN=1", "APP_PORT=9125", f"VENV={sys.prefix}"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"Debugging page: http://127\.0\.0\.1:9125/\?token=[0-9a-f]{48}", lines[0])
    assert "-m voila" in lines[1] and "--port=9125" in lines[1]
