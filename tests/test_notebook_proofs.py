"""Every proof in a notebook has a witness that is not the thing it checks.

The test reads every notebook's code cells as Python (AST) and fails on three shapes of
non-proof, the ones issue 15 found:

- **self-comparison**: ``assert x == x``, in any position of a chain;
- **echo**: a value of a trace compared with the input injected into the computation that made
  that trace (``trace["iv"] == A1.iv`` after ``encrypt(..., iv=A1.iv)``), or with a part of
  the token it was made from (``PARTS[0]`` after ``PARTS = A1.token.split(".")`` and
  ``decrypt(A1.token, ...)``), in an ``assert`` or in a ``verify(...)`` that does not say
  ``kind="given"``. A loop over a dict literal's ``.items()`` is read once per entry;
- **same code path**: a trace made by a jwe_steps module (``from_scratch.gcm``) checked against
  a function imported from that same module (``gf_mult``), in an ``assert`` or in a ``verify``
  that does not say ``kind="given"``. A trace made by the pipeline (``jwe_steps.encrypt``,
  ``decrypt``, ``explain``, the widgets) was computed by its engine: by default
  ``jwe_steps.primitives`` and the ``cryptography`` calls it wraps (``AESGCM``, ``Cipher``,
  ``hmac``, ``keywrap``, ``PBKDF2HMAC``), so calling those again is no witness for it; with
  ``engine="from_scratch"``, ``jwe_steps.from_scratch``. Two steps of one trace joined
  (``t["ciphertext"] + t["tag"]``) are read as a value of that trace.

Round trips (``decrypt(encrypt(x)) == x``, an RSA-OAEP encrypted key opened by
``cryptography``) and published vectors compared with computed values are not flagged: they are
proofs. (A trace's step compared with the engine's own cipher call on that trace's values is
flagged: that call repeats what made the step.) The fixtures at the end show that each rule catches the
patterns the notebooks used to contain.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from dataclasses import dataclass, field

import nbformat
import pytest
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
STEP_ACCESSORS = {"step"}
# Modules whose code computes values: a witness taken from one of them cannot check a value it
# computed. (Keys, examples and views only load, transcribe or draw.)
# The cryptography modules whose calls jwe_steps.primitives (the default engine) wraps to compute
# content encryption, key wrapping and PBES2: the same call made again in a notebook recomputes
# the engine's value the same way. (RSA and ECDH are not listed: OAEP is randomized and a shared
# secret needs the other party's key, so cryptography can only check those by inverting them,
# a round trip.)
WRAPPED_BY_PRIMITIVES = (
    "cryptography.hazmat.primitives.ciphers",  # AESGCM, Cipher(algorithms.AES, modes.GCM/CBC)
    "cryptography.hazmat.primitives.hmac",
    "cryptography.hazmat.primitives.keywrap",
    "cryptography.hazmat.primitives.kdf.pbkdf2",
)
DEFAULT_ENGINE = ("jwe_steps.primitives", *WRAPPED_BY_PRIMITIVES)
ENGINES = (
    "jwe_steps.from_scratch",
    "jwe_steps.algorithms",
    "jwe_steps.kdf",
    "jwe_steps.aad",
    "jwe_steps.header",
    "jwe_steps.serialization",
    *DEFAULT_ENGINE,
)
# Calls (by their last name, lower case) that run the pipeline and so its engine: a trace they
# return was computed by DEFAULT_ENGINE, or by jwe_steps.from_scratch with engine="from_scratch".
PIPELINE_CALLS = {
    "encrypt",
    "decrypt",
    "explain",
    "sign_then_encrypt",
    "decrypt_then_verify",
    "explorer",
    "decryptionstepper",
    "tamperlab",
}
# Packages whose lower-case names imported with `from PACKAGE import name` are modules.
PACKAGES = (
    "jwe_steps.from_scratch",
    "jwe_steps.algorithms",
    "cryptography",
    "cryptography.hazmat.primitives",
    "cryptography.hazmat.primitives.ciphers",
    "cryptography.hazmat.primitives.asymmetric",
    "cryptography.hazmat.primitives.kdf",
)


@dataclass
class Produced:
    """What a name holds when it was assigned from a call: the inputs it was made from, and the
    jwe_steps modules whose code made it."""

    inputs: list[tuple[str | None, str]] = field(default_factory=list)  # (keyword, ast dump)
    modules: set[str] = field(default_factory=set)


def _tail(node: ast.AST) -> str | None:
    """The name an expression ends with: ``A1.iv`` -> "iv", ``SEED`` -> "seed"."""
    if isinstance(node, ast.Attribute):
        return node.attr.lower().strip("_")
    if isinstance(node, ast.Name):
        return node.id.lower().strip("_")
    return None


def _within(module: str, packages: set[str]) -> bool:
    """Is ``module`` one of ``packages``, or inside one of them?"""
    return any(module == package or module.startswith(f"{package}.") for package in packages)


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


class _Substitute(ast.NodeTransformer):
    def __init__(self, name: str, value: ast.AST) -> None:
        self.name, self.value = name, value

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return copy.deepcopy(self.value) if node.id == self.name else node


class Analyzer:
    """Walks a notebook's cells in order, keeping aliases, produced traces and imports."""

    def __init__(self) -> None:
        self.aliases: dict[str, ast.AST] = {}
        self.produced: dict[str, Produced] = {}
        self.modules: dict[str, str] = {}  # local name -> jwe_steps module it comes from
        self.findings: list[str] = []
        self.dicts: dict[str, ast.Dict] = {}  # name -> a dict literal with constant keys
        self.split_lists: dict[str, str] = {}  # PARTS = X.split(".") -> dump of X
        self.split_parts: dict[str, str] = {}  # header, key, ... = X.split(".") -> dump of X

    # -- normalization ---------------------------------------------------------------------
    def normalize(self, node: ast.AST, depth: int = 0) -> ast.AST:
        """Resolve simple aliases, getattr(x, "a") -> x.a, and t.step("a").value -> t["a"]."""
        node = copy.deepcopy(node)
        analyzer = self

        class Normalize(ast.NodeTransformer):
            def visit_Name(self, name: ast.Name) -> ast.AST:
                if depth < 5 and name.id in analyzer.aliases:
                    return analyzer.normalize(analyzer.aliases[name.id], depth + 1)
                return name

            def visit_Call(self, call: ast.Call) -> ast.AST:
                self.generic_visit(call)
                if (
                    isinstance(call.func, ast.Name)
                    and call.func.id == "getattr"
                    and len(call.args) == 2
                    and isinstance(call.args[1], ast.Constant)
                    and isinstance(call.args[1].value, str)
                ):
                    return ast.Attribute(
                        value=call.args[0], attr=call.args[1].value, ctx=ast.Load()
                    )
                return call

            def visit_Attribute(self, attribute: ast.Attribute) -> ast.AST:
                self.generic_visit(attribute)
                call = attribute.value
                if (
                    attribute.attr == "value"
                    and isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in STEP_ACCESSORS
                    and len(call.args) == 1
                ):
                    return ast.Subscript(value=call.func.value, slice=call.args[0], ctx=ast.Load())
                return attribute

        return Normalize().visit(node)

    @staticmethod
    def dump(node: ast.AST) -> str:
        return ast.dump(node, annotate_fields=False)

    # -- what made a trace -----------------------------------------------------------------
    def _module_of_call(self, call: ast.Call) -> str | None:
        root = _root(call.func)
        return self.modules.get(root) if root else None

    def record_call(self, target: str, call: ast.Call) -> None:
        made = Produced()
        module = self._module_of_call(call)
        if module and module.startswith(ENGINES):
            made.modules.add(module)
        elif module and module.startswith("jwe_steps") and _tail(call.func) in PIPELINE_CALLS:
            engines = [kw.value for kw in call.keywords if kw.arg == "engine"]
            from_scratch = any(
                isinstance(e, ast.Constant) and e.value == "from_scratch" for e in engines
            )
            made.modules |= {"jwe_steps.from_scratch"} if from_scratch else set(DEFAULT_ENGINE)
        arguments = [(None, arg) for arg in call.args] + [
            (kw.arg, kw.value) for kw in call.keywords
        ]
        for keyword, value in arguments:
            made.inputs.append((keyword, self.dump(self.normalize(value))))
            # A trace rebuilt from another trace (or its steps) inherits what made that one.
            source = value.value if isinstance(value, ast.Attribute) else value
            if isinstance(source, ast.Name) and source.id in self.produced and source.id != target:
                made.inputs += self.produced[source.id].inputs
                made.modules |= self.produced[source.id].modules
        self.produced[target] = made

    def trace_value(self, node: ast.AST) -> tuple[str, str] | None:
        """(trace name, step name) when ``node`` reads a step of a produced trace, or joins two
        steps of one (``t["ciphertext"] + t["tag"]``)."""
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.trace_value(node.left), self.trace_value(node.right)
            if left and right and left[0] == right[0]:
                return left[0], f"{left[1]}+{right[1]}"
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            root = _root(node.value)
            if root in self.produced and isinstance(node.slice.value, str):
                return root, node.slice.value.lower()
        if isinstance(node, ast.Attribute):
            root = _root(node.value)
            if root in self.produced and isinstance(node.value, ast.Name):
                return root, node.attr.lower()
        return None

    # -- the rules ---------------------------------------------------------------------------
    def is_echo(self, trace: str, step: str, other: ast.AST) -> bool:
        wanted = self.dump(other)
        tail = _tail(other)
        for keyword, given in self.produced[trace].inputs:
            if given == wanted and (keyword == step or (tail is not None and tail == step)):
                return True
        return False

    def _split_receiver(self, node: ast.AST) -> str | None:
        """The dump of ``X`` when ``node`` is ``X.split(...)``."""
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "split"
        ):
            return self.dump(self.normalize(node.func.value))
        return None

    def echoes_a_part(self, trace: str, other: ast.AST) -> bool:
        """Is ``other`` a part of a token ``trace`` was made from, taken as it is (``PARTS[0]``,
        ``A1.token.split(".")[0]``, or a name unpacked from that split)?"""
        source = None
        if isinstance(other, ast.Subscript):
            base = other.value
            if isinstance(base, ast.Name):
                source = self.split_lists.get(base.id)
            else:
                source = self._split_receiver(base)
        elif isinstance(other, ast.Name):
            source = self.split_parts.get(other.id)
        return source is not None and any(
            given == source for _, given in self.produced[trace].inputs
        )

    def same_code_path(self, trace: str, other: ast.AST, badge: bool = False) -> bool:
        """Does ``other`` call code of the module that made ``trace``? For a badge, also: does
        it read a value that module computed (``y = gf_mult(...)``, ``enc["m"]``)?"""
        mine = self.produced[trace].modules
        for inner in ast.walk(other):
            if isinstance(inner, ast.Call):
                module = self._module_of_call(inner)
                if module and _within(module, mine):
                    return True
            if (
                badge
                and isinstance(inner, ast.Name)
                and inner.id in self.produced
                and inner.id != trace
                and any(_within(module, mine) for module in self.produced[inner.id].modules)
            ):
                return True
        return False

    def check_pair(self, left: ast.AST, right: ast.AST, where: str, proof: bool) -> None:
        if self.dump(left) == self.dump(right):
            self.findings.append(f"{where}: compares {ast.unparse(left)} with itself")
            return
        for value, other in ((left, right), (right, left)):
            found = self.trace_value(value)
            if found is None:
                continue
            trace, step = found
            if proof and (self.is_echo(trace, step, other) or self.echoes_a_part(trace, other)):
                self.findings.append(
                    f"{where}: {ast.unparse(value)} is compared with {ast.unparse(other)}, "
                    f"the input injected into {trace}"
                )
            elif self.same_code_path(trace, other):
                self.findings.append(
                    f"{where}: {ast.unparse(value)} is checked with {ast.unparse(other)}, "
                    f"code from the module that made {trace}"
                )

    def check_assert(self, test: ast.AST, where: str) -> None:
        for node in ast.walk(test):
            if isinstance(node, ast.Compare):
                operands = [self.normalize(node.left), *map(self.normalize, node.comparators)]
                for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
                    if isinstance(op, ast.Eq | ast.Is):
                        self.check_pair(left, right, where, proof=True)
            elif isinstance(node, ast.Call):
                self.check_verify(node, where)

    def check_verify(self, call: ast.Call, where: str) -> None:
        if not (isinstance(call.func, ast.Name | ast.Attribute) and _tail(call.func) == "verify"):
            return
        if len(call.args) < 3 or not isinstance(call.args[1], ast.Constant | ast.JoinedStr):
            return
        kinds = [kw.value for kw in call.keywords if kw.arg == "kind"]
        kind = kinds[0].value if kinds and isinstance(kinds[0], ast.Constant) else None
        trace = _root(call.args[0])
        if trace not in self.produced or kind == "given":
            return
        name = call.args[1]
        step = str(name.value).lower() if isinstance(name, ast.Constant) else ast.unparse(name)
        expected = self.normalize(call.args[2])
        if self.is_echo(trace, step, expected):
            self.findings.append(
                f"{where}: verify({trace}, {step!r}) is proven by {ast.unparse(expected)}, the "
                f"input injected into {trace}: say kind='given'"
            )
        elif self.echoes_a_part(trace, expected):
            self.findings.append(
                f"{where}: verify({trace}, {step!r}) is proven by {ast.unparse(expected)}, a part "
                f"of the token {trace} was made from: say kind='given'"
            )
        elif self.same_code_path(trace, expected, badge=True):
            self.findings.append(
                f"{where}: verify({trace}, {step!r}, kind={kind!r}) uses code from the module "
                "that made the trace"
            )

    # -- walking -----------------------------------------------------------------------------
    def statements(self, body: list[ast.stmt], where: str) -> None:
        for statement in body:
            self.statement(statement, where)

    def statement(self, node: ast.stmt, where: str) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(("jwe_steps", "cryptography")):
                    top = alias.name.split(".")[0]
                    self.modules[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            ("jwe_steps", "cryptography")
        ):
            for alias in node.names:
                self.modules[alias.asname or alias.name] = self._from_module(
                    node.module, alias.name
                )
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            if value is None:
                return
            self._scan_calls(value, where)
            for target in targets:
                self.assign(target, value)
        elif isinstance(node, ast.Assert):
            self.check_assert(node.test, where)
        elif (
            isinstance(node, ast.For)
            and self._literal_names(node.iter)
            and isinstance(node.target, ast.Name)
        ):
            for literal in self._literal_names(node.iter):
                body = [
                    _Substitute(node.target.id, literal).visit(copy.deepcopy(s)) for s in node.body
                ]
                self.statements(body, where)
        elif (
            isinstance(node, ast.For)
            and isinstance(node.target, ast.Tuple)
            and (entries := self._dict_items(node.iter, node.target))
        ):
            key_name, value_name = (e.id for e in node.target.elts if isinstance(e, ast.Name))
            for key, value in entries:
                body = [
                    _Substitute(value_name, value).visit(
                        _Substitute(key_name, key).visit(copy.deepcopy(s))
                    )
                    for s in node.body
                ]
                self.statements(body, where)
        elif isinstance(node, ast.For | ast.While | ast.If | ast.With | ast.Try):
            self._scan_calls(getattr(node, "iter", None) or getattr(node, "test", None), where)
            for name in ("body", "orelse", "finalbody"):
                self.statements(getattr(node, name, []), where)
            for handler in getattr(node, "handlers", []):
                self.statements(handler.body, where)
        elif isinstance(node, ast.Expr):
            self._scan_calls(node.value, where)
        elif isinstance(node, ast.FunctionDef):
            return  # definitions are checked where they are used

    @staticmethod
    def _from_module(module: str | None, name: str) -> str:
        # `from jwe_steps.from_scratch import gcm` names a module; `from ...gcm import gf_mult`
        # names a function of one. Both map to the module whose code runs.
        base = module or ""
        if base == "jwe_steps":
            return base
        if base in PACKAGES and name.islower():
            return f"{base}.{name}"
        return base

    def _dict_items(self, node: ast.AST, target: ast.Tuple) -> list[tuple[ast.AST, ast.AST]]:
        """The entries of ``D.items()`` for a dict literal ``D``, looped over as ``k, v``."""
        if not (
            len(target.elts) == 2
            and all(isinstance(e, ast.Name) for e in target.elts)
            and isinstance(node, ast.Call)
            and not node.args
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "items"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in self.dicts
        ):
            return []
        literal = self.dicts[node.func.value.id]
        return [(k, v) for k, v in zip(literal.keys, literal.values, strict=True) if k is not None]

    @staticmethod
    def _literal_names(node: ast.AST) -> list[ast.Constant]:
        if isinstance(node, ast.Tuple | ast.List) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
        ):
            return [e for e in node.elts if isinstance(e, ast.Constant)]
        return []

    def _scan_calls(self, node: ast.AST | None, where: str) -> None:
        for inner in ast.walk(node) if node is not None else ():
            if isinstance(inner, ast.Call):
                self.check_verify(inner, where)

    def assign(self, target: ast.AST, value: ast.AST) -> None:
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
            for t, v in zip(target.elts, value.elts, strict=False):
                self.assign(t, v)
            return
        if isinstance(target, ast.Tuple):
            receiver = self._split_receiver(value)
            for t in target.elts:
                if isinstance(t, ast.Name):
                    self._forget(t.id)
                    if receiver is not None:
                        self.split_parts[t.id] = receiver
                    if isinstance(value, ast.Call):
                        self.record_call(t.id, value)
            return
        if not isinstance(target, ast.Name):
            return
        self._forget(target.id)
        self.produced.pop(target.id, None)
        if isinstance(value, ast.Call):
            receiver = self._split_receiver(value)
            if receiver is not None:
                self.split_lists[target.id] = receiver
            self.record_call(target.id, value)
        elif isinstance(value, ast.Attribute | ast.Name | ast.Constant):
            self.aliases[target.id] = self.normalize(value)
        elif isinstance(value, ast.Dict) and all(
            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in value.keys
        ):
            literal = self.normalize(value)
            if isinstance(literal, ast.Dict):
                self.dicts[target.id] = literal

    def _forget(self, name: str) -> None:
        """A name assigned again no longer holds what it held."""
        self.aliases.pop(name, None)
        self.dicts.pop(name, None)
        self.split_lists.pop(name, None)
        self.split_parts.pop(name, None)


def _python(source: str) -> str:
    """A cell's source with IPython magics and shell escapes blanked out."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def findings(cells: list[str], label: str = "cell") -> list[str]:
    analyzer = Analyzer()
    for index, source in enumerate(cells):
        analyzer.statements(ast.parse(_python(source)).body, f"{label} {index}")
    return analyzer.findings


def code_cells(path) -> Iterator[str]:
    notebook = nbformat.read(path, as_version=4)
    return (cell.source for cell in notebook.cells if cell.cell_type == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_notebook_proves_a_value_with_itself_or_its_input(path):
    assert findings(list(code_cells(path)), path.name) == []


# -- the rules catch what the notebooks used to do -------------------------------------------


def test_a_self_comparison_is_caught():
    assert findings(["x = f()\nassert x == x"])
    assert findings(["assert a == b == a"]) == []  # a chain compares neighbours only
    assert findings(["t = f()\nassert t['iv'] == t['iv']"])


def test_an_injected_iv_or_cek_is_caught():
    cells = [
        "import jwe_steps\nfrom jwe_steps.examples import RFC7516_A1 as A1",
        "trace = jwe_steps.encrypt(A1.plaintext, key, alg='RSA-OAEP', enc='A256GCM', "
        "cek=A1.cek, iv=A1.iv)",
        "assert trace['iv'] == A1.iv and len(A1.iv) == 12  # A.1.4",
    ]
    assert len(findings(cells)) == 1
    cek_cell = "assert trace['cek'] == A1.cek == key.material.decrypt(A1.encrypted_key, oaep)"
    assert len(findings([*cells[:2], cek_cell])) == 1
    aliased = ["CEK = A1.cek", "t = jwe_steps.encrypt(p, k, enc='A256GCM', cek=CEK)",
               "assert t.step('cek').value == A1.cek"]  # fmt: skip
    assert len(findings(aliased)) == 1
    # Not an injection: the ciphertext is computed, the RFC publishes it.
    assert findings([*cells[:2], "assert trace['ciphertext'] == A1.ciphertext"]) == []
    # Not an injection: decrypting a published token and finding its published IV.
    parsed = "received = jwe_steps.decrypt(A1.token, key)\nassert received['iv'] == A1.iv"
    assert findings([cells[0], parsed]) == []


def test_an_echo_under_a_verified_badge_is_caught():
    cells = [
        "from jwe_steps.examples import RFC7516_A1 as A1\nimport jwe_steps",
        "trace = jwe_steps.encrypt(A1.plaintext, key, enc='A256GCM', cek=A1.cek, iv=A1.iv)",
        'for name in ("protected_header", "iv", "aad"):\n'
        '    verify(trace, name, getattr(A1, name), "RFC 7516 A.1")',
    ]
    assert len(findings(cells)) == 1  # the iv; the header and the AAD are computed
    vector = 'verify(trace, "iv", A1.iv, "RFC 7516 A.1", kind="vector")'
    assert len(findings([*cells[:2], vector])) == 1
    given = 'verify(trace, "iv", A1.iv, "the IV injected above", kind="given")'
    assert findings([*cells[:2], given]) == []
    seed = [
        "import jwe_steps\nfrom jwe_steps.from_scratch import oaep",
        "enc = oaep.encrypt(public_key, CEK, 'SHA-256', seed=SEED)",
        "steps = jwe_steps.Trace('RSA-OAEP-256', enc.steps)",
        'assert verify(steps, "seed", SEED, "the fixed SEED above")',
    ]
    assert len(findings(seed)) == 1


def test_a_part_of_the_input_token_under_a_verified_badge_is_caught():
    """Notebook 06 badged the encoded protected header of a decryption "verified (vector)"
    against the token's own first part, inside a loop over a dict of published values."""
    setup = [
        "import jwe_steps\nfrom jwe_steps.examples import RFC7516_A1 as A1\n"
        "from jwe_steps.verification import verify\nPARTS = A1.token.split('.')",
        "trace = jwe_steps.decrypt(A1.token, key, algorithms=ALLOWED)",
    ]
    old_06 = (
        'published = {"encoded_protected_header": PARTS[0], "iv": A1.iv, "cek": A1.cek}\n'
        "for name, value in published.items():\n"
        '    assert verify(trace, name, value, "RFC 7516 A.1", kind="vector"), name'
    )
    assert len(findings([*setup, old_06])) == 1  # the header only: A.1's IV and CEK are vectors
    echoes = [
        'verify(trace, "encoded_protected_header", PARTS[0], "A.1.7", kind="vector")',
        'verify(trace, "encoded_protected_header", A1.token.split(".")[0], "A.1.7", kind="vector")',
        'h, k, i, c, t = A1.token.split(".")\n'
        'verify(trace, "encoded_protected_header", h, "A.1.7", kind="independent")',
        'assert trace["encoded_protected_header"] == PARTS[0]',
    ]
    for echo in echoes:
        assert len(findings([*setup, echo])) == 1, echo
    given = 'verify(trace, "encoded_protected_header", PARTS[0], "the first part", kind="given")'
    assert findings([*setup, given]) == []
    # What notebook 06 does now: A.1.1's header bytes, encoded by the standard library.
    fixed = (
        'encoded = base64.urlsafe_b64encode(A1.protected_header).rstrip(b"=").decode("ascii")\n'
        'published = {"encoded_protected_header": encoded, "iv": A1.iv}\n'
        "for name, value in published.items():\n"
        '    assert verify(trace, name, value, "RFC 7516 A.1", kind="vector"), name'
    )
    assert findings([*setup, fixed]) == []
    # A part of another token is no echo: the re-encryption's header against the published one.
    other = [
        *setup,
        "again = jwe_steps.encrypt(A1.plaintext, key, enc='A256GCM', cek=A1.cek, iv=A1.iv)",
        'verify(again, "encoded_protected_header", PARTS[0], "RFC 7516 A.1.7", kind="vector")',
    ]
    assert findings(other) == []


def test_a_witness_from_the_module_under_test_is_caught():
    cells = [
        "import jwe_steps\nfrom jwe_steps.from_scratch import gcm\n"
        "from jwe_steps.from_scratch.gcm import gf_mult",
        "g = gcm.encrypt(A1.cek, A1.iv, A1.plaintext, A1.aad)\n"
        "gcm_steps = jwe_steps.Trace('AES-256-GCM', g.steps)",
        "y = 0\nfor i, x in enumerate(blocks, 1):\n"
        "    assert verify(gcm_steps, f'ghash[{i}]', gf_mult(y, H).to_bytes(16, 'big'), 'gf_mult', "
        "kind='independent')",
        "assert gcm_steps['H'] == gcm.gf_mult(1, H)",
    ]
    assert len(findings(cells)) == 2
    fixed = [*cells[:2], "assert gcm_steps['H'] == E(bytes(16))"]
    assert findings(fixed) == []
    # 03's c == pow(m, e, n): the engine's own m, through the engine's own formula.
    rsa = [
        "import jwe_steps\nfrom jwe_steps.from_scratch import oaep",
        "enc = oaep.encrypt(public_key, CEK, 'SHA-256', seed=SEED)\n"
        "oaep_steps = jwe_steps.Trace('RSA-OAEP-256', enc.steps)",
        "assert verify(oaep_steps, 'c', pow(enc['m'], e, n), 'pow(m, e, n)', kind='independent')",
    ]
    assert len(findings(rsa)) == 1


def test_the_default_engines_own_cryptography_call_is_no_witness():
    """Notebook 00 used to badge the tag of a jwe_steps.encrypt trace "independent" with
    cryptography's AESGCM: the very call jwe_steps.primitives makes for that trace."""
    setup = [
        "import jwe_steps\nfrom jwe_steps.examples import RFC7516_A1 as A1\n"
        "from jwe_steps.verification import verify\n"
        "from cryptography.hazmat.primitives.ciphers.aead import AESGCM\n"
        "from jwe_steps.from_scratch import gcm",
        "trace = jwe_steps.encrypt(A1.plaintext, key.public_key(), alg='RSA-OAEP', enc='A256GCM', "
        "cek=A1.cek, iv=A1.iv)",
    ]
    old_00 = [
        *setup,
        "sealed = AESGCM(A1.cek).encrypt(A1.iv, A1.plaintext, A1.aad)",
        'verify(trace, "tag", sealed[-16:], "cryptography\'s AESGCM, called above", '
        'kind="independent")',
    ]
    assert len(findings(old_00)) == 1
    # The same call inline, in an assert, on a decryption, through the module, or through
    # the pieces API of Cipher: all caught.
    inline = 'assert trace["tag"] == AESGCM(A1.cek).encrypt(A1.iv, A1.plaintext, A1.aad)[-16:]'
    assert len(findings([*setup, inline])) == 1
    joined = (  # two steps of the trace joined, as AESGCM returns them (notebook 08 did this)
        'assert trace["ciphertext"] + trace["tag"] == '
        "AESGCM(A1.cek).encrypt(A1.iv, A1.plaintext, A1.aad)"
    )
    assert len(findings([*setup, joined])) == 1
    decrypted = (
        "opened = jwe_steps.decrypt(A1.token, key)\n"
        'assert AESGCM(opened["cek"]).decrypt(opened["iv"], opened["ciphertext"] + '
        'opened["tag"], opened["aad"]) == opened["plaintext"]'
    )
    assert len(findings([setup[0], decrypted])) == 1
    module = [
        "import jwe_steps\nfrom cryptography.hazmat.primitives.ciphers import aead",
        "trace = jwe_steps.encrypt(p, k, enc='A256GCM')",
        "assert trace['tag'] == aead.AESGCM(trace['cek']).encrypt(trace['iv'], p, trace['aad'])",
    ]
    assert len(findings(module)) == 1
    wrapped = [
        "import jwe_steps\nfrom cryptography.hazmat.primitives.keywrap import aes_key_wrap",
        "t = jwe_steps.encrypt(p, kek, alg='A128KW', enc='A128GCM', cek=CEK)",
        "assert t['encrypted_key'] == aes_key_wrap(kek.material, CEK)",
    ]
    assert len(findings(wrapped)) == 1
    # What notebook 00 does now: the published tag, and a second implementation of GCM.
    fixed = [
        *setup,
        "second = gcm.encrypt(A1.cek, A1.iv, A1.plaintext, A1.aad)",
        'verify(trace, "tag", A1.tag, "RFC 7516 A.1.6", kind="vector")',
        'verify(trace, "tag", second.tag, "from_scratch.gcm", kind="independent")',
        'verify(trace, "tag", AESGCM(A1.cek).encrypt(A1.iv, A1.plaintext, A1.aad)[-16:], '
        '"the engine\'s own call", kind="given")',
    ]
    assert findings(fixed) == []
    # Round trips through cryptography stay proofs: RSA-OAEP inverted, AES-GCM opened.
    round_trips = [
        *setup,
        "assert key.material.decrypt(trace['encrypted_key'], oaep) == A1.cek",
        "assert AESGCM(A1.cek).decrypt(A1.iv, trace['ciphertext'] + trace['tag'], A1.aad) "
        "== A1.plaintext",
    ]
    assert findings(round_trips) == []


def test_the_from_scratch_engine_is_checked_against_cryptography_not_itself():
    cells = [
        "import jwe_steps\nfrom jwe_steps.from_scratch import gcm\n"
        "from cryptography.hazmat.primitives.ciphers.aead import AESGCM",
        "t = jwe_steps.encrypt(p, k, enc='A256GCM', cek=CEK, iv=IV, engine='from_scratch')",
    ]
    by_itself = "assert t['tag'] == gcm.encrypt(CEK, IV, p, t['aad']).tag"
    assert len(findings([*cells, by_itself])) == 1
    by_cryptography = "assert t['tag'] == AESGCM(CEK).encrypt(IV, p, t['aad'])[-16:]"
    assert findings([*cells, by_cryptography]) == []
