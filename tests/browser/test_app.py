"""The debugging page in a real browser: `jwe-steps app` (what `make app` runs), driven by Chromium.

The test starts `jwe-steps app --no-browser` on a free loopback port, opens the URL it prints in
headless Chromium, pastes a broken token (the tag glued to the ciphertext) and the recipient's
key, checks that the page names the failed stage and the diagnosis with proof badges, presses
"Copy redacted report" and reads the clipboard back: it must be exactly
``jwe_steps.explain(token, key).redacted()``. Every request the page makes is recorded; any
that leaves 127.0.0.1 is refused and fails the test (no CDN, no network). Screenshots go to
test-artifacts/browser/.

Without Chromium, Playwright or Voila this skips, saying which; with JWE_STEPS_REQUIRE_BROWSER=1
(set by .ci/run) their absence is a failure.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, free_port, require_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
START_TIMEOUT = 90  # seconds for Voila to answer
PAGE_TIMEOUT = 120_000  # milliseconds for the page's kernel and widgets


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_browser(
        "debugging page browser test",
        {"playwright": "the playwright Python package", "voila": "Voila (the app extra)"},
    )
    base = tmp_path_factory.mktemp("app")
    port = free_port()
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_PATH": str(base / "user-path"),
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    # A "python3" kernel that cannot start, first on the user's JUPYTER_PATH: the page must
    # still run in its own kernel (this interpreter), which jwe-steps app puts before it.
    broken = base / "user-path" / "kernels" / "python3"
    broken.mkdir(parents=True)
    (broken / "kernel.json").write_text(
        json.dumps({"argv": ["/nonexistent/python", "-f", "{connection_file}"],
                    "display_name": "not this one", "language": "python"})
    )  # fmt: skip
    log_path = base / "voila.log"
    command = [sys.executable, "-m", "jwe_steps.cli", "app", "--no-browser", f"--port={port}"]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=base, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
            start_new_session=True,
        )  # fmt: skip
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            match = re.fullmatch(
                rf"Debugging page: (http://127\.0\.0\.1:{port}/\?token=\w+)\n", line
            )
            assert match, line + log_path.read_text()[-2000:]
            url = match.group(1)
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                try:
                    probe = f"http://127.0.0.1:{port}/voila/static/voila.js"
                    with urllib.request.urlopen(probe, timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("jwe-steps app did not start:\n" + log_path.read_text())
                time.sleep(0.5)
            yield {"url": url, "port": port, "log": log_path}
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


ASSET = re.compile(
    r"""<(?:link|script|img|iframe|source|audio|video|embed)\b[^>]*?\b(?:src|href)\s*=\s*"""
    r"""["']((?:https?:)?//[^"']+)""",
    re.I,
)


def _external_assets(html: str) -> list[str]:
    """What the HTML would load from beyond 127.0.0.1 (links a reader may follow are fine)."""
    return [url for url in ASSET.findall(html) if not url.split("//", 1)[1].startswith("127.0.0.1")]


def test_the_asset_check_can_fail() -> None:
    html = (
        '<a href="https://docs.example">docs</a><link rel="stylesheet" href="https://cdn.x/a.css">'
    )
    assert _external_assets(html) == ["https://cdn.x/a.css"]
    assert _external_assets('<script src="//cdn.y/b.js"></script>') == ["//cdn.y/b.js"]


def test_the_served_html_loads_nothing_from_elsewhere(app: dict[str, Any]) -> None:
    import httpx

    html = httpx.get(app["url"], timeout=60).text
    assert "<title>jwe-steps: debugging page</title>" in html  # the tab says what it is
    assert _external_assets(html) == []
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html and "cdnjs" not in html
    # The token guards the page: without it, a login page, which loads nothing external either.
    plain = app["url"].split("?")[0]
    assert httpx.get(plain, timeout=30, follow_redirects=False).status_code in (302, 403)
    login = httpx.get(plain, timeout=30, follow_redirects=True)
    assert "/login" in str(login.url) and "debug_page" not in login.text
    assert _external_assets(login.text) == []


def test_paste_a_broken_token_and_a_key_see_the_diagnosis_copy_the_report(app: dict[str, Any]):
    from playwright.sync_api import sync_playwright

    import jwe_steps
    from jwe_steps.examples import RFC7516_A1
    from jwe_steps.exercises.debugging_broken_tokens import appended_tag_token

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    token = appended_tag_token()
    key = RFC7516_A1.demo_key()  # the RFC's published DEMO key
    origin = f"http://127.0.0.1:{app['port']}"
    requests: list[str] = []
    refused: list[str] = []

    def route(handled: Any) -> None:
        url = handled.request.url
        if url.startswith(origin + "/"):
            handled.continue_()
        else:
            refused.append(url)
            handled.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            headless=True,
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1800})
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
            context.route("**/*", route)
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("websocket", lambda socket: requests.append(socket.url))
            page.goto(app["url"])
            token_box = page.locator(".jwe-app-token textarea")
            token_box.wait_for(timeout=PAGE_TIMEOUT)
            page.screenshot(path=str(ARTIFACTS / "app-empty.png"), full_page=True)
            token_box.fill(token)
            page.locator(".jwe-app-key textarea").fill(json.dumps(key.to_jwk(private=True)))
            page.locator(".jwe-app-explain").click()

            diagnosis = page.locator(".jwe-app-diagnosis")
            diagnosis.wait_for(timeout=PAGE_TIMEOUT)
            assert page.locator(".jwe-app-failed-stage").inner_text() == "tag"
            assert diagnosis.locator('[data-code="tag.appended_to_ciphertext"]').count() == 1
            # The anatomy, and every stage that ran as a card with its proof badge.
            anatomy = page.locator(".jwe-app-anatomy")
            page.wait_for_function(
                "el => el.innerText.trim() !== ''", arg=anatomy.element_handle(), timeout=30_000
            )
            stages = page.locator(".jwe-app-stages")
            assert stages.locator(".jwe-card, .jwe-badge").count() >= 5
            assert stages.locator(".jwe-badge").count() >= 5
            page.screenshot(path=str(ARTIFACTS / "app-diagnosis.png"), full_page=True)

            page.locator(".jwe-app-copy").click()
            page.wait_for_function(
                "() => document.querySelector('.jwe-app-copy-status').textContent === 'copied'",
                timeout=30_000,
            )
            copied = page.evaluate("() => navigator.clipboard.readText()")
        finally:
            browser.close()

    expected = jwe_steps.explain(token, key).redacted()
    assert json.loads(copied) == expected.to_dict()
    assert copied.strip() == expected.to_json().strip()
    secret = key.to_jwk(private=True)
    assert secret["d"] not in copied and jwe_steps.b64.b64url_encode(RFC7516_A1.cek) not in copied
    assert any("/api/kernels/" in url for url in requests)  # the page really talked to Voila
    assert refused == [], f"the page tried to reach beyond 127.0.0.1: {refused}"
