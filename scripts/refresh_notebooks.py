"""Re-execute notebooks in place and store their outputs (what strict nbval compares against).

    python scripts/refresh_notebooks.py                 # every notebook in notebooks/
    python scripts/refresh_notebooks.py notebooks/04_iv_and_aes_gcm.ipynb

Per-cell execution timestamps are dropped so a refresh only changes what really changed.
Run it after a change to the library alters what a notebook shows, then commit the result.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def refresh(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)


def main(arguments: list[str]) -> int:
    paths = [Path(a) for a in arguments] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for path in paths:
        print(f"refreshing {path.name}", flush=True)
        refresh(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
