"""Serve the debugging page (:class:`jwe_steps.app.DebugPage`) with Voilà, on loopback only.

``make app`` and ``jwe-steps app`` call :func:`serve`. Voilà runs ``debug_page.ipynb`` (one cell:
``DebugPage()``) in a kernel of this Python and shows only its widgets: no code cells, no Jupyter
interface, and no code execution from the browser. Every asset comes from the installed
packages (no CDN). The page is behind a random token, as JupyterLab is: the URL printed
carries it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
import webbrowser
from collections.abc import Callable, Mapping
from pathlib import Path

PAGE = Path(__file__).with_name("debug_page.ipynb")
# A Jupyter data directory holding the page's Voila template, "jwe-steps" (no CDN links).
DATA_DIR = Path(__file__).with_name("jupyter")
TEMPLATE = "jwe-steps"
KERNEL = "python3"  # the kernel the page's notebook names
HOST = "127.0.0.1"
DEFAULT_PORT = 8866
START_TIMEOUT = 60.0  # seconds for Voilà to answer


class AppUnavailable(Exception):
    """Voilà is not installed (the ``app`` extra)."""


def page_url(port: int, token: str) -> str:
    """The page's own URL, token included."""
    return f"http://{HOST}:{port}/?token={token}"


def voila_command(port: int) -> list[str]:
    """Voilà on 127.0.0.1:port, serving the page; the token comes from $JUPYTER_TOKEN."""
    return [
        sys.executable, "-m", "voila", str(PAGE),
        f"--Voila.ip={HOST}", f"--port={port}", "--Voila.port_retries=0", "--no-browser",
        "--token",  # require a token: Voilà takes it from $JUPYTER_TOKEN, kept out of `ps`
        "--show_tracebacks=False", "--strip_sources=True", f"--template={TEMPLATE}",
    ]  # fmt: skip


def write_kernel_spec(folder: Path) -> Path:
    """Make ``folder`` a Jupyter data folder whose ``python3`` kernel is this interpreter.

    The page's notebook asks for ``python3``; a user's own ``python3`` kernel (another Python,
    perhaps without jwe-steps) would otherwise be picked. Returns ``folder``.
    """
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (jwe-steps)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel, indent=1), encoding="utf-8")
    return folder


def app_environment(
    token: str, environ: Mapping[str, str], kernel_folder: Path | None = None
) -> dict[str, str]:
    """The server's environment: the token; the page's template and kernel found first."""
    search = [str(DATA_DIR), *([str(kernel_folder)] if kernel_folder else [])]
    search += filter(None, [environ.get("JUPYTER_PATH")])
    return {**environ, "JUPYTER_TOKEN": token, "JUPYTER_PATH": os.pathsep.join(search)}


def require_voila() -> None:
    if importlib.util.find_spec("voila") is None:
        raise AppUnavailable(
            "the debugging page needs Voilà: install the app extra (make install, or "
            "pip install 'jwe-steps[app]')"
        )


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def serve(
    port: int = DEFAULT_PORT,
    *,
    open_browser: bool = True,
    dry_run: bool = False,
    token: str | None = None,
    announce: Callable[[str], None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run Voilà in the foreground until it stops (Ctrl+C); return its exit status.

    ``announce`` gets the URL first; with ``dry_run`` it also gets the command, and nothing
    starts. The browser (where there is one) is opened once the page answers.
    """
    require_voila()
    if announce is None:

        def announce(line: str) -> None:
            print(line, flush=True)

    token = token or secrets.token_hex(24)
    url = page_url(port, token)
    command = voila_command(port)
    announce(f"Debugging page: {url}")
    if dry_run:
        announce(" ".join(command))
        return 0
    with tempfile.TemporaryDirectory(prefix="jwe-steps-app-") as folder:
        kernel_folder = write_kernel_spec(Path(folder))
        env = app_environment(token, os.environ if environ is None else environ, kernel_folder)
        process = subprocess.Popen(command, env=env)  # noqa: S603 (our interpreter, our page)
        try:
            # A static asset, not the page: each request for the page starts a kernel.
            probe = f"http://{HOST}:{port}/voila/static/voila.js"
            if open_browser and _wait_until_up(probe, process, START_TIMEOUT):
                webbrowser.open(url)
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()
            try:
                return process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                return process.wait()


__all__ = [
    "DEFAULT_PORT",
    "HOST",
    "PAGE",
    "AppUnavailable",
    "app_environment",
    "page_url",
    "require_voila",
    "serve",
    "voila_command",
    "write_kernel_spec",
]
