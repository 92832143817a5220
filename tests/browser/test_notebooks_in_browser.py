"""The notebooks and widgets in a real browser: JupyterLab driven by Debian's Chromium.

Each test starts JupyterLab on 127.0.0.1 (a free port, no token) over a temporary copy of
notebooks/, opens a notebook in headless Chromium through Playwright, runs all cells, checks
that no cell shows an error and that every widget renders, then operates one control of each
widget and checks that what it shows changes. Screenshots go to test-artifacts/browser/.

Without /usr/bin/chromium, Playwright or JupyterLab these tests skip, saying which; with
JWE_STEPS_REQUIRE_BROWSER=1 (set by .ci/run) their absence is a failure. Playwright cannot download browsers here: it is given
Debian's Chromium through ``executable_path``.
"""

from __future__ import annotations

import json
import os
import shutil
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
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 90  # seconds for JupyterLab to answer /api/status
RUN_TIMEOUT = 180_000  # milliseconds for "Run All" to finish


GALLERY_CELLS = [
    "import jwe_steps\n"
    "from jwe_steps import algorithms\n"
    "from jwe_steps.widgets import DecryptionStepper, Explorer, KeyInspector, TamperLab, demo_key",
    'Explorer("Hello from the browser test", alg="RSA-OAEP-256", enc="A256GCM")',
    'key = demo_key("RSA")  # a DEMO key\n'
    'token = jwe_steps.encrypt(b"step", key.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token\n'
    "DecryptionStepper(token, key)",
    'TamperLab("Attack at dawn", enc="A256GCM")',
    'TamperLab("Attack at dawn", enc="A128CBC-HS256" if "A128CBC-HS256" in '
    'algorithms.CONTENT_ENCRYPTION else "A128GCM")',
    'KeyInspector(choice="EC P-256")',
]


def _write_gallery(folder: Path) -> str:
    """A notebook with every widget (made here, never committed), so each is always covered."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in GALLERY_CELLS]
    nbformat.write(notebook, folder / "widget_gallery.ipynb")
    return "widget_gallery.ipynb"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_browser(
        "browser tests",
        {
            "playwright": "the playwright Python package",
            "jupyterlab": "JupyterLab (the lab extra: make install)",
        },
    )
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    gallery = _write_gallery(root)
    settings = base / "settings"
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    # No "Would you like to receive news?" toast over the screenshots, and no fetch of it.
    (
        settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    ).write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Render every cell (no virtual scrolling), so off-screen widgets exist in the page too.
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"})
    )
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    port = free_port()
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
        "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True", "--ServerApp.disable_check_xsrf=True",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = (base / "jupyterlab.log").open("w")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError(
                    "JupyterLab did not start:\n" + (base / "jupyterlab.log").read_text()[-3000:]
                )
            time.sleep(0.5)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch_persistent_context(
                str(base / "chromium-profile"),
                executable_path=str(CHROMIUM),
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": 1280, "height": 2600},
            )
            try:
                yield {"url": url, "root": root, "browser": browser, "gallery": gallery}
            finally:
                browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _widget_notebooks() -> list[str]:
    return sorted(
        path.name
        for path in NOTEBOOKS.glob("*.ipynb")
        if "jwe_steps.widgets" in path.read_text(encoding="utf-8")
    )


WAIT_IDLE = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.sessionContext) return false;
  await panel.sessionContext.ready;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code'
                                             && c.model.sharedModel.source.trim() !== '');
  const running = document.querySelectorAll('.jp-InputPrompt');
  for (const prompt of running) { if (prompt.textContent.includes('*')) return false; }
  return cells.every(c => c.model.executionCount !== null);
}"""

KERNEL_READY = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await panel.sessionContext.ready;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""

ERRORS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const found = [];
  panel.content.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    for (const output of cell.model.outputs.toJSON()) {
      if (output.output_type === 'error') found.push(`cell ${index}: ${output.ename}: ${output.evalue}`);
    }
  });
  return found;
}"""


def _open_and_run(lab: dict[str, Any], name: str, theme: str = "JupyterLab Light") -> Any:
    page = lab["browser"].new_page()
    page.goto(f"{lab['url']}/lab/tree/{name}?reset")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext", timeout=60_000)  # fmt: skip
    page.evaluate(
        f"() => window.jupyterapp.commands.execute('apputils:change-theme', {{theme: '{theme}'}})"
    )
    page.wait_for_function(KERNEL_READY, timeout=60_000, polling=500)
    # Clear the stored outputs (and their execution counts) first, so that only this run's
    # outputs are inspected and "every cell has a count" means "every cell ran".
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.content.widgets"
        ".every(c => c.model.type !== 'code' || c.model.executionCount === null)",
        timeout=30_000,
    )
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_timeout(500)
    page.wait_for_function(WAIT_IDLE, timeout=RUN_TIMEOUT, polling=500)
    page.wait_for_timeout(1000)  # let widget views finish rendering
    return page


# One control per widget: (widget class, action, what to wait for)
def _operate(page: Any, widget: Any, kind: str) -> None:
    if kind == "jwe-explorer":
        box = widget.locator(".jwe-control-payload textarea")
        box.fill("changed in the browser: a longer payload")
        box.press("Tab")
    elif kind == "jwe-stepper":
        widget.locator(".jwe-control-next button, button.jwe-control-next").first.click()
    elif kind == "jwe-tamper-lab":
        widget.locator(".jwe-control-part select").select_option(label="IV")
    elif kind == "jwe-key-inspector":
        # Another key type always changes the view (a public key has no private values to reveal).
        widget.locator(".jwe-control-choice select").select_option(label="EC P-384")
    else:
        raise AssertionError(f"no control known for widget {kind}")


KINDS = ("jwe-explorer", "jwe-stepper", "jwe-tamper-lab", "jwe-key-inspector")


def _exercise_widgets(page: Any, stem: str) -> dict[str, int]:
    errors = page.evaluate(ERRORS)
    assert errors == [], f"{stem}: cells with errors: {errors}"
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                        ).filter(has_text="Traceback").count() == 0  # fmt: skip
    counts: dict[str, int] = {}
    for kind in KINDS:
        widgets = page.locator(f".{kind}")
        counts[kind] = widgets.count()
        for index in range(widgets.count()):
            widget = widgets.nth(index)
            widget.scroll_into_view_if_needed()
            output = widget.locator(".jwe-output").first
            output.wait_for(state="visible", timeout=30_000)
            page.wait_for_function(
                "el => el.innerText.trim() !== ''", arg=output.element_handle(), timeout=30_000
            )
            before = output.inner_text()
            assert before.strip(), f"{stem}: {kind} #{index} shows nothing"
            widget.screenshot(path=str(ARTIFACTS / f"{stem}-{kind}-{index}.png"))
            _operate(page, widget, kind)
            page.wait_for_function(
                "([el, text]) => el.innerText !== text",
                arg=[output.element_handle(), before],
                timeout=30_000,
            )
            after = output.inner_text()
            assert after != before, f"{stem}: operating {kind} #{index} changed nothing"
            widget.screenshot(path=str(ARTIFACTS / f"{stem}-{kind}-{index}-after.png"))
    return counts


def test_every_widget_renders_and_reacts_in_both_themes(lab: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for theme, suffix in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
        page = _open_and_run(lab, lab["gallery"], theme)
        try:
            counts = _exercise_widgets(page, f"gallery-{suffix}")
            assert counts == {"jwe-explorer": 1, "jwe-stepper": 1, "jwe-tamper-lab": 2,
                              "jwe-key-inspector": 1}, counts  # fmt: skip
            page.screenshot(path=str(ARTIFACTS / f"gallery-{suffix}-page.png"), full_page=True)
            explorer = page.locator(".jwe-explorer").first
            output = explorer.locator(".jwe-output").first
            for view, marker in (
                ("steps", ".jwe-card"),
                ("data flow", "svg"),
                ("bytes", ".jwe-bytes"),
            ):
                explorer.locator(".jwe-control-view button", has_text=view).click()
                output.locator(marker).first.wait_for(state="visible", timeout=30_000)
                explorer.scroll_into_view_if_needed()
                name = view.replace(" ", "-")
                explorer.screenshot(path=str(ARTIFACTS / f"gallery-{suffix}-explorer-{name}.png"))
        finally:
            page.close()


@pytest.mark.parametrize("name", _widget_notebooks() or ["(none)"])
def test_notebook_with_widgets_runs_clean_in_the_browser(lab: dict[str, Any], name: str) -> None:
    if name == "(none)":
        pytest.skip("no notebook in notebooks/ imports jwe_steps.widgets yet")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = _open_and_run(lab, name)
    try:
        stem = Path(name).stem
        counts = _exercise_widgets(page, stem)
        assert sum(counts.values()) >= 1, f"{name} imports jwe_steps.widgets but shows no widget"
        # The static views (anatomy, bytes, cards, flow) as the notebook shows them.
        views = page.locator(".jp-OutputArea-output:not(.jupyter-widgets) > .jwe-steps-view")
        for index in range(min(views.count(), 8)):
            views.nth(index).scroll_into_view_if_needed()
            views.nth(index).screenshot(path=str(ARTIFACTS / f"{stem}-view-{index}.png"))
        page.screenshot(path=str(ARTIFACTS / f"{stem}-page.png"), full_page=True)
    finally:
        page.close()
