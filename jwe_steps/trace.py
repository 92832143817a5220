"""Step and Trace: the record every stage leaves behind.

A stage returns (or appends) a :class:`Step`: the value it produced, a one-line meaning and the
RFC section that defines it. A :class:`Trace` is the ordered list of steps of one encryption or
decryption. Views, widgets and the CLI read values from here and never recompute them; the
checks :mod:`jwe_steps.verification` made are stored here too (``trace.verifications``).

Nothing here imports the views. ``str()`` and ``repr()`` are the log-safe forms: a secret step
(the CEK, the plaintext, derived keys, private values: every step not known to be public) shows
its length and, for keys, a SHA-256 prefix, never its value. :meth:`Trace.redacted` is the
JSON-ready summary that may be logged. Jupyter's rich display (``_repr_html_``) shows the values
(it is for the learner's own screen) through renderers the view package registers with
:func:`register_renderer` when it is imported.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

T = TypeVar("T")
_TraceT = TypeVar("_TraceT", bound="Trace")


class Deferred:
    """A step value that is computed only when something reads it.

    The pipeline records values that exist anyway; a value that would have to be made only for
    the trace (the bytes of a large ciphertext that was decrypted straight from the token, the
    HMAC input A || IV || E || AL) is recorded as a Deferred: ``compute`` builds it on first
    read, and ``length`` (when known) answers size questions without building it.
    """

    __slots__ = ("compute", "length")

    def __init__(self, compute: Callable[[], Any], length: int | None = None) -> None:
        self.compute = compute
        self.length = length

    def __repr__(self) -> str:
        return f"<deferred value, {self.length} B>"


# What Trace.add stores until a Step is wanted: (name, value, meaning, rfc, extra fields).
_Record = tuple[str, Any, str, str, "dict[str, Any] | None"]

# ---------------------------------------------------------------- what may be shown in a log

# Values that travel in the clear (the token's parts and what is computed from them alone) or
# that describe the processing. Every other step is treated as secret: allow-list, not deny-list.
PUBLIC_STEPS = frozenset(
    {
        "header", "protected_header", "encoded_protected_header", "unprotected_header",
        "shared_unprotected_header", "per_recipient_header", "jwe_aad", "encoded_jwe_aad",
        "aad", "al", "encrypted_key", "iv", "ciphertext", "tag", "token", "serialization",
        "key_management_mode", "key_encryption_parameters", "key_wrap_parameters",
        "key_wrap_iv", "key_wrap_tag", "ephemeral_public_key", "kdf_other_info",
        "pbes2_salt_input", "hmac_input", "zip", "recipient", "recipients",
    }
)  # fmt: skip
REDACTED_LENGTH = 8  # hex digits of SHA-256 shown for a secret key: enough to correlate


def is_secret(name: str) -> bool:
    """Whether step ``name`` holds a value that must not be printed or logged."""
    return name not in PUBLIC_STEPS


def is_content(name: str) -> bool:
    """Whether step ``name`` holds (part of) the message itself rather than a key.

    A hash of low-entropy content (a PAN, a name) would let anyone confirm a guess, so content
    is summarised by its length only.
    """
    return "plaintext" in name or name.endswith(("message", ".M", "padded_plaintext"))


def _length(value: Any) -> int | None:
    if isinstance(value, bytes | bytearray | memoryview | str):
        return len(value)
    if isinstance(value, Deferred):
        return value.length
    return None


def redact(name: str, value: Any) -> dict[str, Any]:
    """The log-safe summary of a secret value: ``{"redacted": True, "length": n, ...}``."""
    summary: dict[str, Any] = {"redacted": True, "length": _length(value)}
    if is_content(name):
        return summary
    if isinstance(value, int) and not isinstance(value, bool):
        value = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
        summary["length"] = len(value)
    if isinstance(value, str):
        value = value.encode("utf-8")
    if isinstance(value, bytes | bytearray | memoryview):
        digest = hashlib.sha256(bytes(value)).hexdigest()
        summary["sha256_prefix"] = digest[:REDACTED_LENGTH]
    return summary


def _summary_text(name: str, value: Any) -> str:
    summary = redact(name, value)
    size = f"{summary['length']} B" if summary["length"] is not None else type(value).__name__
    digest = f", sha256 {summary['sha256_prefix']}…" if "sha256_prefix" in summary else ""
    return f"[redacted: {size}{digest}]"


def _preview(value: Any, limit: int = 24) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        shown = bytes(value[:limit]).hex(" ")
        return shown + (f" … (+{len(value) - limit} B)" if len(value) > limit else "")
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 4 * limit else f"{text[: 4 * limit]}… (+{len(text) - 4 * limit})"


def safe_value_text(name: str, value: Any) -> str:
    """A step value as it may appear in a log: a preview when public, a summary when secret."""
    return _summary_text(name, value) if is_secret(name) else _preview(value)


# ---------------------------------------------------------------- renderers, registered by view/

_RENDERERS: dict[str, Callable[..., str]] = {}


def register_renderer(name: str, renderer: Callable[..., str]) -> None:
    """Called by :mod:`jwe_steps.view` on import: ``"step_html"`` and ``"trace_html"``."""
    _RENDERERS[name] = renderer


def _renderer(name: str) -> Callable[..., str]:
    if name not in _RENDERERS:
        # The view layer registers its renderers when imported; the model never names them.
        importlib.import_module(f"{__package__}.view")
    return _RENDERERS[name]


@dataclass(frozen=True, init=False)
class Step:
    """One intermediate value of a JWE operation.

    Attributes:
        name: a stable identifier, e.g. ``"cek"`` or ``"aad"``; ``trace[name]`` finds it.
        value: the value itself: bytes for octet sequences, str for encoded text, dict for JSON.
        meaning: one line saying what the value is.
        rfc: the section that defines it, e.g. ``"RFC 7516 §5.1 step 14"``.
        inputs: names of the earlier steps this value was computed from.
        operation: how it was computed from those inputs, in one short formula.
        detail: optional extra facts for views (e.g. a JSON member's byte range).
    """

    name: str
    value: Any
    meaning: str
    rfc: str = ""
    inputs: tuple[str, ...] = ()
    operation: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        name: str,
        value: Any,
        meaning: str,
        rfc: str = "",
        inputs: tuple[str, ...] = (),
        operation: str = "",
        detail: dict[str, Any] | None = None,
    ) -> None:
        # The dataclass's own __init__ for a frozen class sets each field through
        # object.__setattr__; one __dict__ update halves the cost of a step, and a JWE round
        # trip records about 25 of them. The instance stays frozen: setattr still raises.
        self.__dict__.update(
            name=name,
            value=value,
            meaning=meaning,
            rfc=rfc,
            inputs=inputs,
            operation=operation,
            # A copy: records made once are shared by every trace (the usual Concat KDF
            # inputs), and verify() writes into a step's detail.
            detail={} if detail is None else dict(detail),
        )

    @property
    def size(self) -> int | None:
        """Length in bytes (or characters, for text), when the value has one."""
        if isinstance(self.value, bytes | bytearray | memoryview | str):
            return len(self.value)
        return None

    @property
    def secret(self) -> bool:
        """Whether this value must not appear in a log (see :func:`is_secret`)."""
        return is_secret(self.name)

    def __str__(self) -> str:
        size = _length(self.value)
        head = self.name + (f" ({size} B)" if isinstance(self.value, bytes) else "")
        lines = [f"{head}: {safe_value_text(self.name, self.value)}", f"    {self.meaning}"]
        if self.operation:
            lines.append(f"    = {self.operation}")
        if self.rfc:
            lines.append(f"    [{self.rfc}]")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Step({self.name!r}, {safe_value_text(self.name, self.value)}, rfc={self.rfc!r})"

    def _repr_html_(self) -> str:
        return _renderer("step_html")(self)


@dataclass
class Trace:
    """The ordered steps of one JWE operation. ``trace["cek"]`` returns a step's value.

    Recording is lazy: :meth:`add` keeps the arguments as they are (a tuple of references to
    values that exist anyway) and a :class:`Step` is built only when something reads it, through
    ``trace.steps``, ``trace.step(name)``, ``trace[name]`` or iteration. A round trip records
    about 25 steps, most of which nobody outside a notebook ever reads. Once ``steps`` has been
    handed out, later steps are built at once, so a list held by a caller never sees a record.
    """

    operation: str
    steps: list[Step] = field(default_factory=list)  # a property below: see _get_steps
    # What jwe_steps.verification stored: step index -> its Verification records.
    verifications: dict[int, list[Any]] = field(default_factory=dict, repr=False, compare=False)
    if TYPE_CHECKING:  # instance attributes set by the steps property, not dataclass fields
        _log: list[Step | _Record] = field(init=False, repr=False, compare=False)
        _exposed: bool = field(init=False, repr=False, compare=False)

    @classmethod
    def started(cls: type[_TraceT], **values: Any) -> _TraceT:
        """A trace with no steps yet and ``values`` for some of its fields, the others at their
        defaults: what ``cls(**values)`` makes, without running the dataclass ``__init__``
        (:mod:`jwe_steps.compact_path` starts two traces per round trip, and that ``__init__``
        is most of a trace's cost there; it binds :func:`blank_starter`, this without values,
        once)."""
        start = _starters.get(cls) or _starter(cls)
        trace: _TraceT = start(values)
        return trace

    def record(self, step: Step) -> Step:
        """Append ``step`` and return it (so a stage can record and use a value in one line)."""
        self._log.append(step)
        return step

    def add(self, name: str, value: T, meaning: str, rfc: str = "", **extra: Any) -> T:
        """Record a step built from the arguments and return its value (typed as given)."""
        if self._exposed:
            self._log.append(Step(name, value, meaning, rfc, **extra))
        else:
            self._log.append((name, value, meaning, rfc, extra or None))
        return value

    def add_record(self, record: _Record) -> None:
        """Record a step given as one ``(name, value, meaning, rfc, extra)`` tuple (extra: a
        dict of Step's other fields, or None); a :class:`Deferred` value is computed on read."""
        self._log.append(_build(record) if self._exposed else record)

    def add_deferred(
        self, name: str, value: Deferred, meaning: str, rfc: str = "", **extra: Any
    ) -> None:
        """Record a step whose value is computed only when the step is read."""
        if self._exposed:
            self._log.append(_build((name, value, meaning, rfc, extra or None)))
        else:
            self._log.append((name, value, meaning, rfc, extra or None))

    def step(self, name: str) -> Step:
        """The last step recorded under ``name``."""
        log = self._log
        for index in range(len(log) - 1, -1, -1):
            entry = log[index]
            if isinstance(entry, tuple):
                if entry[0] == name:
                    built = log[index] = _build(entry)
                    return built
            elif entry.name == name:
                return entry
        known = ", ".join(self.names())
        raise KeyError(f"no step named {name!r} in this trace; it has: {known}")

    def __getitem__(self, name: str) -> Any:
        return self.step(name).value

    def __contains__(self, name: object) -> bool:
        return any(_name(entry) == name for entry in self._log)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self._log)

    def names(self) -> list[str]:
        """Step names in order, without repeats."""
        return list(dict.fromkeys(_name(entry) for entry in self._log))

    def size_of(self, name: str) -> int | None:
        """The length of the last value recorded under ``name``, without building it."""
        for entry in reversed(self._log):
            if _name(entry) == name:
                return _length(entry[1] if isinstance(entry, tuple) else entry.value)
        return None

    def attach_verification(self, step: Step, verification: Any) -> None:
        """Store ``verification`` for ``step`` (one of this trace's steps, found by identity)."""
        self.verifications.setdefault(self._index(step), []).append(verification)

    def verifications_of(self, step: Step) -> tuple[Any, ...]:
        """What was stored for ``step`` (empty when it was never checked or is not ours)."""
        try:
            return tuple(self.verifications.get(self._index(step), ()))
        except KeyError:
            return ()

    def _index(self, step: Step) -> int:
        for index in range(len(self.steps) - 1, -1, -1):
            if self.steps[index] is step:
                return index
        raise KeyError(f"step {step.name!r} is not one of this trace's steps")

    def __str__(self) -> str:
        lines = [self.title()]
        lines += [f"{i:>2}. {step}" for i, step in enumerate(self.steps, 1)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.operation}: {len(self._log)} steps>"

    def _repr_html_(self) -> str:
        return _renderer("trace_html")(self)

    def title(self) -> str:
        return self.operation

    def redacted(self) -> dict[str, Any]:
        """A JSON-ready summary that may be logged: no plaintext, no key, no private value.

        ``kid``, ``alg``, ``enc`` (and ``zip``, ``typ``, ``cty``) from the header, the length of
        each token part, and every secret step as ``{"redacted": true, "length": n,
        "sha256_prefix": "ab12cd34"}`` (content such as the plaintext: its length only).
        """
        header = getattr(self, "header", None) or {}
        if not header and "header" in self and isinstance(self["header"], dict):
            header = self["header"]
        summary: dict[str, Any] = {"operation": self.operation}
        for member in ("kid", "alg", "enc", "zip", "typ", "cty"):
            value = header.get(member)
            if isinstance(value, str | int | float | bool) or value is None:
                summary[member] = value
        parts = {}
        for name in ("protected_header", "encrypted_key", "iv", "ciphertext", "tag", "aad"):
            size = self.size_of(name)
            if size is not None:
                parts[name] = size
        summary["lengths"] = parts
        secrets: dict[str, Any] = {}
        for entry in self._log:  # only the secret ones are read (a deferred value stays unbuilt)
            name = _name(entry)
            if is_secret(name):
                value = entry[1] if isinstance(entry, tuple) else entry.value
                if isinstance(value, Deferred):
                    value = value.compute()
                secrets[name] = redact(name, value)
        summary["secrets"] = secrets
        summary["steps"] = self.names()
        checks = [v for records in self.verifications.values() for v in records]
        summary["verifications"] = [
            {"name": v.name, "status": v.status, "kind": v.kind, "source": v.source} for v in checks
        ]
        return summary


def _name(entry: Step | _Record) -> str:
    return entry[0] if isinstance(entry, tuple) else entry.name


def _build(record: _Record) -> Step:
    name, value, meaning, rfc, extra = record
    if isinstance(value, Deferred):
        value = value.compute()
    return Step(name, value, meaning, rfc, **(extra or {}))


def _get_steps(self: Trace) -> list[Step]:
    """Every step, built from its record now if it was not yet; the list is the trace's own."""
    log = self._log
    for index, entry in enumerate(log):
        if isinstance(entry, tuple):
            log[index] = _build(entry)
    self.__dict__["_exposed"] = True
    return log  # type: ignore[return-value]  # every entry is a Step now


_starters: dict[type, Callable[[dict[str, Any]], Any]] = {}


def _starter(cls: type) -> Callable[[dict[str, Any]], Any]:
    """:meth:`Trace.started` for one class, made once (see :func:`_starter_source`)."""
    start: Callable[[dict[str, Any]], Any] = _starter_source(cls, with_values=True)
    _starters[cls] = start
    return start


def blank_starter(cls: type[_TraceT]) -> Callable[[], _TraceT]:
    """``cls.started`` with no values, as a function of no arguments: for the callers that
    start a trace on every call (the compact path, the JWS signer and verifier) and bind it
    once, at import. A class with a field that has no default has no blank starter."""
    start: Callable[[], _TraceT] = _starter_source(cls, with_values=False)
    return start


def _starter_source(cls: type, *, with_values: bool) -> Any:
    """A function that sets the log and each field whose default is made per instance
    (``steps`` is the log, started empty), one line each, as the dataclass ``__init__`` does,
    without its other work; then, ``with_values``, the values it is given. The other defaults
    are class attributes already; a field without a default must be among the values."""
    factories, required = [], set()
    for item in dataclasses.fields(cls):
        if item.name == "steps":
            continue
        if item.default_factory is not dataclasses.MISSING:
            factories.append((item.name, item.default_factory))
        elif item.default is dataclasses.MISSING:
            required.add(item.name)
    missing = f"{cls.__name__}.started() needs {', '.join(sorted(required))}"
    if required and not with_values:
        raise TypeError(missing)
    names: dict[str, Any] = {
        "new": cls.__new__,
        "cls": cls,
        "required": frozenset(required),
        "missing": missing,
    }
    lines = ["def start(values):" if with_values else "def start():"]
    if required:
        lines += ["    if not required <= values.keys():", "        raise TypeError(missing)"]
    lines += ["    trace = new(cls)", "    trace._log = []"]
    for index, (name, factory) in enumerate(factories):  # field names are identifiers
        names[f"factory_{index}"] = factory
        lines.append(f"    trace.{name} = factory_{index}()")
    if with_values:
        lines += ["    for name, value in values.items():", "        setattr(trace, name, value)"]
    lines.append("    return trace")
    exec("\n".join(lines), names)  # noqa: S102 (text built from the class's own field names)
    return names["start"]


def _set_steps(self: Trace, steps: list[Step]) -> None:
    self.__dict__["_log"] = steps
    self.__dict__["_exposed"] = False


# ``steps`` stays a dataclass field (Trace("op", steps), EncryptTrace(steps=...), equality),
# stored through this property so that reading it is what builds the Steps.
Trace.steps = property(_get_steps, _set_steps)  # type: ignore[assignment]
Trace._exposed = False


@dataclass(repr=False)
class EncryptTrace(Trace):
    """What :func:`jwe_steps.encrypt` did, step by step; ``.token`` is the result."""

    operation: str = "encrypt"
    token: Any = None  # str for compact; dict for the JSON serializations
    header: dict[str, Any] = field(default_factory=dict)

    def title(self) -> str:
        return _title("JWE encryption", self.header)


def _title(operation: str, header: Mapping[str, Any]) -> str:
    """The title, e.g. ``JWE decryption: RSA-OAEP-256 + A256GCM``, or the operation alone when
    the header names neither (it could not be read, or each recipient has its own alg)."""
    named = [value[:40] for value in (header.get("alg"), header.get("enc")) if type(value) is str]
    return f"{operation}: {' + '.join(named)}" if named else operation


@dataclass(repr=False)
class DecryptTrace(Trace):
    """What :func:`jwe_steps.decrypt` did, step by step; ``.plaintext`` is the result."""

    operation: str = "decrypt"
    plaintext: bytes = b""
    header: dict[str, Any] = field(default_factory=dict)

    def title(self) -> str:
        return _title("JWE decryption", self.header)
