"""`import jwe_steps` loads its public names on first use (PEP 562), so `jwe-steps --help` starts
without importing cryptography or the algorithm modules. Cold-start time itself is measured in
benchmarks/, never asserted here; these tests check the mechanism and that nothing was lost."""

from __future__ import annotations

import subprocess
import sys

import pytest

import jwe_steps


def _modules_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(result.stdout.split())


def test_the_cli_module_imports_no_crypto_until_a_command_needs_it():
    loaded = _modules_after("import jwe_steps.cli")
    assert "jwe_steps.cli" in loaded
    assert not {m for m in loaded if m.startswith("cryptography")}
    assert "jwe_steps.pipeline" not in loaded and "jwe_steps.keys" not in loaded


def test_using_a_public_name_imports_what_it_needs():
    loaded = _modules_after("import jwe_steps\njwe_steps.encrypt")
    assert {"jwe_steps.pipeline", "jwe_steps.algorithms.rsa_oaep"} <= loaded


@pytest.mark.parametrize("name", jwe_steps.__all__)
def test_every_public_name_resolves_to_its_defining_object(name):
    value = getattr(jwe_steps, name)
    if name == "__version__":
        assert isinstance(value, str)
        return
    module = getattr(value, "__module__", None) or ""
    assert module.startswith("jwe_steps.") or name == "DEFAULT_LIMITS"
    assert name in dir(jwe_steps)


def test_star_import_gives_every_public_name():
    namespace: dict[str, object] = {}
    exec("from jwe_steps import *", namespace)
    assert set(jwe_steps.__all__) <= set(namespace)
    assert namespace["encrypt"] is jwe_steps.pipeline.encrypt
    assert namespace["DEFAULT_LIMITS"] is jwe_steps.limits.DEFAULT_LIMITS


def test_core_submodules_stay_reachable_as_attributes():
    assert jwe_steps.algorithms.key_management("RSA-OAEP-256").name == "RSA-OAEP-256"
    assert jwe_steps.b64.b64url_encode(b"\xff") == "_w"


def test_unknown_attributes_still_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        jwe_steps.not_a_name  # noqa: B018
    assert not hasattr(jwe_steps, "server_is_not_loaded_by_probing")


_ROUND_TRIP = """
import jwe_steps
key = jwe_steps.generate_key("RSA")
token = jwe_steps.encrypt(b"hi", key.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
assert jwe_steps.decrypt(token, key{engine}).plaintext == b"hi"
"""


def test_a_plain_encrypt_and_decrypt_load_no_teaching_code():
    """Issue 12: the production path imports nothing from jwe_steps.from_scratch."""
    loaded = _modules_after(_ROUND_TRIP.format(engine=""))
    assert [m for m in loaded if "from_scratch" in m] == []
    assert "jwe_steps.primitives" in loaded


def test_the_from_scratch_engine_is_loaded_when_asked_for_and_records_its_steps():
    loaded = _modules_after(_ROUND_TRIP.format(engine=", engine='from_scratch'"))
    assert {"jwe_steps.from_scratch.engine", "jwe_steps.from_scratch.gcm"} <= loaded
    key = jwe_steps.generate_key("RSA")
    token = jwe_steps.encrypt(b"hi", key.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    trace = jwe_steps.decrypt(token, key, engine="from_scratch")
    names = trace.names()
    assert {"oaep.lHash", "oaep.DB", "gcm.H", "gcm.J0"} <= set(names), names


def test_no_algorithm_module_imports_the_teaching_code_or_branches_on_the_engine():
    from pathlib import Path

    package = Path(jwe_steps.__file__).parent / "algorithms"
    for path in package.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        imports = [
            line for line in text.splitlines() if line.lstrip().startswith(("from ", "import "))
        ]
        assert not [line for line in imports if "from_scratch" in line], path.name
        assert "ctx.engine" not in text and "uses_from_scratch" not in text, path.name
