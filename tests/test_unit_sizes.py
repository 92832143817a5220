"""Issue 12: no unit too big to hold in your head. Every module in jwe_steps/ stays under
MAX_MODULE_LINES lines and every function (method, nested function) under MAX_FUNCTION_LINES,
counted from its ``def`` (or first decorator) to its last line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "jwe_steps"
MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 80

MODULES = sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def _functions(tree: ast.AST) -> list[tuple[str, int]]:
    """(qualified name, lines) of every function in ``tree``, nested ones included."""
    found: list[tuple[str, int]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                assert child.end_lineno is not None
                found.append((prefix + child.name, child.end_lineno - start + 1))
                walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.")
            else:
                walk(child, prefix)

    walk(tree, "")
    return found


def test_the_package_has_modules_to_check():
    assert len(MODULES) > 50
    assert PACKAGE / "pipeline.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_module_is_not_too_long(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{_name(path)} has {lines} lines"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_function_is_too_long(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    too_long = {name: n for name, n in _functions(tree) if n > MAX_FUNCTION_LINES}
    assert not too_long, f"{_name(path)}: functions over {MAX_FUNCTION_LINES} lines: {too_long}"


def test_the_counter_sees_nested_functions_and_methods():
    body = "\n".join(f"    x{i} = {i}" for i in range(90))
    source = f"class A:\n    @staticmethod\n    def big():\n    {body.replace(chr(10), chr(10) + '    ')}\n"
    source += "def outer():\n    def inner():\n        pass\n"
    counted = dict(_functions(ast.parse(source)))
    assert counted["A.big"] == 92
    assert counted["outer"] == 3 and counted["outer.inner"] == 2
