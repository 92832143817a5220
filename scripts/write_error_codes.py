"""Write docs/error-codes.md from jwe_steps.errors.CODES, the one registry of error codes.

    python scripts/write_error_codes.py          # rewrite docs/error-codes.md
    python scripts/write_error_codes.py --check  # exit 1 if the file is out of date

`tests/test_error_codes.py` fails when the document and the registry disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "error-codes.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    sys.path.insert(0, str(ROOT))
    from jwe_steps.errors import CODES

    lines = [
        "# Error and finding codes",
        "",
        "Every `jwe_steps.JWEError` carries one of these stable codes in `.code`, and every",
        "finding of `explain` does too. React to the code, never to the message: messages may be",
        "reworded, codes stay. The practice API answers with the same codes in its",
        '`{"error": {"code", ...}}` bodies. The part before the first dot names the family.',
        "Generated from `jwe_steps.errors.CODES` by `scripts/write_error_codes.py`; a test keeps",
        "the two in step.",
        "",
    ]
    families: dict[str, list[tuple[str, str]]] = {}
    for code, meaning in CODES.items():
        families.setdefault(code.split(".")[0], []).append((code, meaning))
    for family, codes in families.items():
        lines += [f"## {family}", "", "| code | meaning |", "| --- | --- |"]
        lines += [f"| `{code}` | {_cell(meaning)} |" for code, meaning in codes]
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        current = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
        if current != text:
            print(f"{DOCUMENT.relative_to(ROOT)} is out of date: run {Path(__file__).name}")
            return 1
        return 0
    DOCUMENT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
