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
