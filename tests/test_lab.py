"""`make lab` prints the URL of notebook 00 itself, token included, and that URL opens it.

The first tests read what `make lab DRY_RUN=1` prints; the others start the real `make lab` on a
free port (a temporary Jupyter data, runtime and settings folder, no browser opened), fetch the
printed URL with httpx and, where Chromium exists, open it in the browser; then stop the server.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import CHROMIUM, ROOT, free_port, require_browser

NOTEBOOK = "00_start_here.ipynb"
URL = re.compile(r"^JupyterLab: (http://127\.0\.0\.1:(\d+)/lab/tree/([^?]+)\?token=(\S+))$", re.M)
START_TIMEOUT = 120  # seconds


def _make_lab(*variables: str) -> list[str]:
    # This interpreter's environment, however it was made; `-o install`: never (re)install here.
    return ["make", "-s", "-o", "install", "lab", f"VENV={sys.prefix}", *variables]


def _notebook_files() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted((ROOT / "notebooks").rglob("*"))
        if path.is_file()
    }


def _require_jupyterlab() -> None:
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        pytest.skip("JupyterLab is not installed (the lab extra: make install)")


def dry_run(*variables: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        _make_lab("DRY_RUN=1", *variables), cwd=ROOT, capture_output=True, text=True,
        env=env, check=True, timeout=60,
    )  # fmt: skip
    return result.stdout


def test_the_printed_url_is_notebook_00_with_a_fresh_token():
    first, second = dry_run("PORT=9911"), dry_run("PORT=9911")
    match = URL.search(first)
    assert match, first
    _url, port, path, token = match.groups()
    assert (port, path) == ("9911", NOTEBOOK)
    assert re.fullmatch(r"[0-9a-f]{48}", token)
    assert (ROOT / "notebooks" / path).is_file()
    assert URL.search(second).group(4) != token  # type: ignore[union-attr]


def test_the_server_is_started_as_the_url_says():
    output = dry_run("PORT=9912")
    command = output.splitlines()[1].split()
    assert command[0].endswith("/jupyter") and command[1] == "lab"
    for option in (
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=9912",
        "--ServerApp.port_retries=0",  # a busy port fails instead of moving away from the URL
        "--ServerApp.root_dir=notebooks",
        f"--LabApp.default_url=/lab/tree/{NOTEBOOK}",
    ):
        assert option in command, option
    assert ("--allow-root" in command) == (os.geteuid() == 0)
    assert not any("token" in part for part in command)  # the token stays out of `ps`


def test_a_token_of_ones_own_is_kept():
    output = dry_run(env={**os.environ, "JUPYTER_TOKEN": "my-own-token"})
    match = URL.search(output)
    assert match and match.group(4) == "my-own-token" and match.group(2) == "8888"


def test_a_busy_port_is_refused_before_a_url_is_printed():
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = subprocess.run(
            _make_lab(f"PORT={port}"), cwd=ROOT, capture_output=True, text=True, timeout=60
        )
    assert result.returncode != 0
    assert "JupyterLab:" not in result.stdout and f"port {port}" in result.stderr


@pytest.fixture(scope="module")
def running_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    _require_jupyterlab()
    base = tmp_path_factory.mktemp("make-lab")
    port = free_port()
    # `make lab` serves the repository's own notebooks/: keep checkpoints out of it and never
    # autosave, so that opening notebook 00 changes nothing there (checked at the end).
    (base / "config").mkdir()
    (base / "config" / "jupyter_server_config.json").write_text(
        json.dumps({"FileCheckpoints": {"checkpoint_dir": str(base / "checkpoints")}})
    )
    docmanager = base / "settings" / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)
    (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    before = _notebook_files()
    env = {
        **os.environ,
        "JUPYTER_DATA_DIR": str(base / "data"),  # `jupyter trust` writes its database here
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "BROWSER": "true",  # Python's webbrowser runs /bin/true: no browser window from a test
    }
    log_path = base / "lab.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            _make_lab(f"PORT={port}"), cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=log, text=True, start_new_session=True,
        )  # fmt: skip
        try:
            assert server.stdout is not None
            first_line = server.stdout.readline()
            match = URL.search(first_line)
            assert match, first_line + log_path.read_text()[-2000:]
            url, _, _, token = match.groups()
            import httpx

            deadline = time.monotonic() + START_TIMEOUT
            while True:
                try:
                    status = httpx.get(f"http://127.0.0.1:{port}/api/status?token={token}")
                    if status.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("make lab did not start:\n" + log_path.read_text()[-3000:])
                time.sleep(0.5)
            yield {"url": url, "port": port, "token": token, "base": base}
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    assert _notebook_files() == before, "make lab changed files in notebooks/"


@pytest.mark.slow
def test_the_url_opens_notebook_00_and_the_token_is_required(running_lab: dict[str, Any]):
    import httpx

    base = f"http://127.0.0.1:{running_lab['port']}"
    page = httpx.get(running_lab["url"])
    assert page.status_code == 200
    assert f'"treePath": "{NOTEBOOK}"' in page.text  # JupyterLab opens this file at start
    # The path is the notebook's, relative to the server's root (notebooks/).
    contents = httpx.get(f"{base}/api/contents/{NOTEBOOK}?content=0&token={running_lab['token']}")
    assert contents.status_code == 200 and contents.json()["type"] == "notebook"
    # The bare address (what `make lab` opens in a browser) leads to the notebook too.
    home = httpx.get(f"{base}/?token={running_lab['token']}", follow_redirects=False)
    assert home.status_code in (301, 302)
    assert home.headers["location"].split("?")[0].endswith(f"/lab/tree/{NOTEBOOK}")
    # Without the token, nothing but the login page.
    assert httpx.get(f"{base}/api/contents/{NOTEBOOK}?content=0").status_code == 403
    assert httpx.get(f"{base}/lab/tree/{NOTEBOOK}").status_code in (302, 403)


@pytest.mark.slow
def test_the_lab_starts_without_a_warning_or_a_traceback(running_lab: dict[str, Any]):
    # Voila's server extension, loaded into the lab, made jupyter-server's own
    # DeprecationWarning appear on every start; make lab leaves it out.
    log = (running_lab["base"] / "lab.log").read_text()
    assert "DeprecationWarning" not in log and "Traceback" not in log, log[-2000:]


@pytest.mark.slow
@pytest.mark.browser
def test_the_url_shows_notebook_00_in_chromium(running_lab: dict[str, Any]):
    require_browser("the lab browser test", {"playwright": "the playwright Python package"})
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        try:
            page = browser.new_page()
            page.goto(running_lab["url"])
            tab = page.locator(".jp-mod-current .lm-TabBar-tabLabel", has_text=NOTEBOOK)
            tab.first.wait_for(timeout=90_000)
            # The notebook's own first heading, rendered in the notebook panel.
            heading = page.locator(".jp-Notebook .jp-RenderedMarkdown h1", has_text="Start here")
            heading.first.wait_for(timeout=90_000)
        finally:
            browser.close()
