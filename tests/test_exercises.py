"""Every notebook exercise needs the work: its worked solution passes, wrong answers fail, the
answer cannot be imported, feedback gives away neither the answer nor its length nor a
direction, repairs and rewrites must start from the given token, and checkers that say they
use independent computations do not call jwe_steps' pipeline or teaching code."""

from __future__ import annotations

import ast
import base64
import importlib
import inspect
import json
import pkgutil
import re
from types import ModuleType
from typing import Any

import pytest

import jwe_steps
import jwe_steps.exercises as exercises_package
from jwe_steps.examples import RFC7516_A1
from jwe_steps.examples.rfc7516_json import RFC7516_A5
from jwe_steps.exercises import NOT_ANSWERED, Exercise


def exercise_modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"jwe_steps.exercises.{info.name}")
        for info in pkgutil.iter_modules(exercises_package.__path__)
    ]


MODULES = exercise_modules()


def all_exercises() -> list[tuple[str, ModuleType, Exercise]]:
    return [
        (f"{module.__name__.rsplit('.', 1)[1]}.q{exercise.number}", module, exercise)
        for module in MODULES
        for exercise in getattr(module, "EXERCISES", [])
    ]


def _param(name: str, module: ModuleType, exercise: Exercise) -> Any:
    return pytest.param(name, module, exercise, id=name)


EXERCISES = all_exercises()
IDS = [name for name, _, _ in EXERCISES]
PARAMS = [_param(*row) for row in EXERCISES]

# Modules whose questions ask how jwe_steps itself behaves ("at which stage is it rejected?"):
# only running jwe_steps can answer those, and their docstrings say so.
RUNS_JWE_STEPS = {
    "payload_and_protected_header",
    "decrypting_and_verifying",
    "tamper_lab",
    "an_api_that_speaks_jwe",
}
# Modules with one such question: the jwe_steps code each may use, and nothing else of it.
# signing_inside_encryption q2 asks what the practice server accepts: the server's own rules.
RUNS_JWE_STEPS_FOR_ONE_QUESTION = {
    "signing_inside_encryption": {
        "errors.JWEError",
        "nested.claims_json",
        "nested.validate_claims",
        "server_errors.ApiError",
        "server_protocol.AUDIENCE",
        "server_protocol.LEEWAY",
        "server_protocol.MAX_JTI_CHARS",
        "server_protocol.MAX_LIFETIME",
        "server_protocol.check_pan_fields",
        "server_protocol.text_field",
    },
}


def wrong_answers(answer: Any) -> list[Any]:
    """Wrong answers of the answer's own type: shorter, longer, same length but different."""
    if isinstance(answer, bool):
        return [not answer]
    if isinstance(answer, int):
        return [answer - 1, answer + 1, 0, answer * 2 + 3]
    if isinstance(answer, bytes):
        flipped = bytes([answer[0] ^ 1]) + answer[1:] if answer else b"\x00"
        return [b"", answer[:-1], answer + b"\x00", flipped, b"\x00" * len(answer)]
    if isinstance(answer, str):
        flipped = ("B" if answer[:1] != "B" else "C") + answer[1:]
        return ["", answer[:-1], answer + "A", flipped]
    if isinstance(answer, dict):
        return [{}, {**answer, "extra": 1}]
    return []


def test_every_notebook_module_has_exercises():
    assert len(EXERCISES) >= 30
    assert {module.__name__.rsplit(".", 1)[1] for _, module, _ in EXERCISES} >= {
        "start_here",
        "payload_and_protected_header",
        "keys",
        "cek_and_rsa_oaep",
        "iv_and_aes_gcm",
        "assembling_and_parsing",
        "decrypting_and_verifying",
        "tamper_lab",
        "algorithm_zoo",
        "debugging_broken_tokens",
    }


@pytest.mark.parametrize(("name", "module", "exercise"), EXERCISES, ids=IDS)
def test_solution_passes_and_wrong_answers_fail(name, module, exercise, capsys):
    answer = exercise.solve()
    assert exercise.verdict(answer) is None, name
    exercise.check(answer)
    assert "correct" in capsys.readouterr().out
    assert exercise.verdict(...) == NOT_ANSWERED
    for candidate in [*wrong_answers(answer), "not the answer", 3.5]:
        if candidate != answer:
            assert exercise.verdict(candidate) is not None, (name, candidate)
    exercise.hint()
    exercise.solution()
    shown = capsys.readouterr().out
    assert f"Hint for question {exercise.number}" in shown and "answer" in shown


def _values(module: ModuleType) -> list[tuple[str, Any]]:
    """Every value a learner can import from the module: its globals, and one level into the
    containers and frozen records among them."""
    found = []
    for name, value in vars(module).items():
        if name.startswith("__") or inspect.ismodule(value):
            continue
        found.append((name, value))
        if isinstance(value, dict):
            found += [(f"{name}[{key!r}]", item) for key, item in value.items()]
        elif isinstance(value, list | tuple):
            found += [(f"{name}[{i}]", item) for i, item in enumerate(value)]
    return found


@pytest.mark.parametrize(("name", "module", "exercise"), PARAMS)
def test_no_module_global_equals_the_answer(name, module, exercise):
    answer = exercise.solve()
    for global_name, value in _values(module):
        if isinstance(value, Exercise) or callable(value):
            continue
        try:
            same = bool(value == answer)
        except Exception:  # a value that cannot be compared is not the answer
            same = False
        assert not same, f"{name}: {module.__name__}.{global_name} is the answer"


def _mentions(message: str, number: int) -> bool:
    return re.search(rf"(?<![0-9]){number}(?![0-9])", message) is not None


@pytest.mark.parametrize(("name", "module", "exercise"), EXERCISES, ids=IDS)
def test_feedback_never_gives_the_answer_or_its_length(name, module, exercise):
    answer = exercise.solve()
    messages = [exercise.verdict(candidate) for candidate in wrong_answers(answer)]
    assert all(message is not None for message in messages), name
    for message in messages:
        assert message is not None
        if isinstance(answer, bytes | str):
            assert not _mentions(message, len(answer)), (name, message)
            shown = answer if isinstance(answer, str) else answer.decode("latin-1")
            assert len(shown) < 4 or shown not in message, (name, message)
        elif isinstance(answer, int) and not isinstance(answer, bool):
            assert not _mentions(message, answer), (name, message)


def _agrees_with_everything(base: type) -> type:
    """A subclass of ``base`` whose ``==`` always says yes (and ``!=`` always no)."""
    return type(
        f"AgreeingWith{base.__name__}",
        (base,),
        {
            "__eq__": lambda self, other: True,
            "__ne__": lambda self, other: False,
            "__hash__": base.__hash__,
            "__contains__": lambda self, item: True,
        },
    )


class _AgreesWithEverything:
    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = object.__hash__


def impostors() -> dict[str, Any]:
    """Answers that did no work but claim to equal anything, and functions returning them."""
    agreeing = {
        base.__name__: _agrees_with_everything(base)
        for base in (bytes, str, int, float, dict, list, tuple)
    }
    values: dict[str, Any] = {
        "object": _AgreesWithEverything(),
        "bytes": agreeing["bytes"](b"x"),
        "str": agreeing["str"]("x"),
        "int": agreeing["int"](1),
        "float": agreeing["float"](1.0),
        "dict": agreeing["dict"](),
        "list": agreeing["list"](),
        "tuple": agreeing["tuple"](("x", "y")),
    }
    values["pair of str"] = (values["str"], agreeing["str"]("y"))
    values["list of str"] = [values["str"], agreeing["str"]("y")]
    functions = {f"function returning {name}": _returning(value) for name, value in values.items()}
    return {**values, **functions}


def _returning(value: Any) -> Any:
    def function(*args: Any, **kwargs: Any) -> Any:
        return value

    return function


@pytest.mark.parametrize(("name", "module", "exercise"), EXERCISES, ids=IDS)
def test_a_value_that_agrees_with_everything_answers_nothing(name, module, exercise):
    for kind, impostor in impostors().items():
        assert exercise.verdict(impostor) is not None, (name, kind)


@pytest.mark.parametrize(("name", "module", "exercise"), EXERCISES, ids=IDS)
def test_feedback_gives_no_direction_to_search_in(name, module, exercise):
    answer = exercise.solve()
    if isinstance(answer, int) and not isinstance(answer, bool):
        assert exercise.verdict(answer - 1) == exercise.verdict(answer + 1), name


def test_the_oaep_question_is_not_a_choice_between_two_names():
    from jwe_steps.exercises.debugging_broken_tokens import q2

    for guess in ("SHA-1", "SHA-256", "RSA-OAEP", "RSA-OAEP-256"):
        assert not q2.is_correct(guess)
        assert not q2.is_correct(guess.encode())


def _fresh_general_a5() -> dict[str, Any]:
    """A brand-new general JSON token to A.5's key, with A.5's headers and plaintext."""
    trace = jwe_steps.encrypt(
        RFC7516_A5.plaintext,
        RFC7516_A5.demo_keys()[0],
        alg="A128KW",
        enc="A128CBC-HS256",
        header=json.loads(RFC7516_A5.protected_header),
        unprotected=RFC7516_A5.unprotected,
        recipient_header=RFC7516_A5.recipient_headers[0],
        serialization="general",
    )
    return trace.token


def test_the_rewrite_checker_refuses_a_fresh_token():
    from jwe_steps.exercises.assembling_and_parsing import q3

    fresh = _fresh_general_a5()
    assert jwe_steps.decrypt(fresh, RFC7516_A5.demo_keys()[0]).plaintext == RFC7516_A5.plaintext
    assert not q3.is_correct(fresh)
    # A.5's own members, one of them replaced by the fresh token's, are refused too.
    for name in ("iv", "ciphertext", "tag"):
        assert not q3.is_correct({**q3.solve(), name: fresh[name]}), name


def test_the_repair_checker_refuses_a_fresh_token():
    from jwe_steps.exercises.debugging_broken_tokens import PLAINTEXT, appended_tag_token, q1

    fresh = jwe_steps.encrypt(
        PLAINTEXT, RFC7516_A1.demo_key().public_key(), alg="RSA-OAEP-256", enc="A256GCM"
    ).token
    assert jwe_steps.decrypt(fresh, RFC7516_A1.demo_key()).plaintext == PLAINTEXT
    assert not q1.is_correct(fresh)
    # The broken token's header, key and IV with a fresh ciphertext and tag: refused as well.
    broken = appended_tag_token().split(".")
    assert not q1.is_correct(".".join([*broken[:3], *fresh.split(".")[3:]]))
    # Splitting the tag anywhere but at the end: the same bytes, but GCM does not verify.
    raw = base64.urlsafe_b64decode(broken[3] + "=" * (-len(broken[3]) % 4))

    def b64u(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    assert not q1.is_correct(".".join([*broken[:3], b64u(raw[16:]), b64u(raw[:16])]))


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _library_accepts(token: str) -> bool:
    try:
        jwe_steps.decrypt(token, RFC7516_A1.demo_key(), algorithms=["RSA-OAEP-256", "A256GCM"])
    except jwe_steps.JWEError:
        return False
    return True


def test_the_repair_checker_requires_the_tag_to_be_the_last_16_bytes():
    from jwe_steps.exercises.debugging_broken_tokens import appended_tag_token, q1

    broken = appended_tag_token().split(".")
    raw = base64.urlsafe_b64decode(broken[3] + "=" * (-len(broken[3]) % 4))

    def split(tag_bytes: int) -> str:
        return ".".join([*broken[:3], _b64u(raw[:-tag_bytes]), _b64u(raw[-tag_bytes:])])

    # The lesson's repair: the last 16 bytes are the tag. The checker and jwe_steps agree.
    assert q1.is_correct(split(16)) and _library_accepts(split(16))
    assert q1.is_correct(q1.solve())
    # The unchanged broken token (an empty tag part) and tags cut at the wrong length: refused,
    # as jwe_steps.decrypt refuses them, though parts 4 and 5 hold the same bytes.
    refused = [appended_tag_token(), split(8), split(12), split(15), split(17), split(32)]
    for token in refused:
        assert not q1.is_correct(token), token.split(".")[4]
        assert not _library_accepts(token)
    # The right split, written with '=' padding: not what an encoder writes, refused by both.
    padded = split(16).split(".")
    padded[4] += "=" * (-len(padded[4]) % 4)
    assert padded[4].endswith("=")
    assert not q1.is_correct(".".join(padded)) and not _library_accepts(".".join(padded))


# -- answers that pasting a published value, or one guess, used to give -------------------------


def test_the_start_here_questions_need_the_work_not_the_published_values():
    from jwe_steps.exercises.start_here import exercise_token, q2, q3

    # q2: the AAD of this session's token. A.1's AAD, the header JSON and its compact
    # re-serialization are all refused; the first part's text passes.
    first = exercise_token().split(".")[0]
    header = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4))
    compact = _b64u(json.dumps(json.loads(header), separators=(",", ":")).encode()).encode()
    for pasted in (RFC7516_A1.aad, header, compact, exercise_token().encode()):
        assert not q2.is_correct(pasted)
    assert q2.is_correct(first.encode("ascii"))

    # q3: a decoding function, run on fresh inputs: A.1's IV, as a value or returned by a
    # function, is refused, and so is a decoder that forgets the padding.
    assert not q3.is_correct(RFC7516_A1.iv)
    assert not q3.is_correct(lambda part: RFC7516_A1.iv)
    assert not q3.is_correct(lambda part: base64.urlsafe_b64decode(part))
    assert not q3.is_correct(lambda part: part.encode())
    assert q3.verdict(lambda part: ...) == NOT_ANSWERED  # the notebook's template
    assert q3.is_correct(lambda part: base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    assert q3.is_correct(jwe_steps.b64.b64url_decode)  # any correct decoder


def test_what_a_notebook_shows_before_a_question_does_not_answer_it():
    from jwe_steps.examples.rfc7516_json import RFC7516_A4
    from jwe_steps.exercises import (
        assembling_and_parsing,
        cek_and_rsa_oaep,
        iv_and_aes_gcm,
        keys,
        payload_and_protected_header,
        start_here,
        tamper_lab,
    )

    a1_j0 = RFC7516_A1.iv + (1).to_bytes(4, "big")
    shown = [  # (question, a value its notebook displays or asserts before asking it)
        (start_here.q1, 256),  # notebook 00: A.1's encrypted key is 256 bytes
        (payload_and_protected_header.q3, "aGk"),  # notebook 01: the spellings of b"hi"
        (keys.q1, 65537),  # notebook 02: A.1's e
        (keys.q1, lambda text: 65537),
        (cek_and_rsa_oaep.q1, 32),  # notebook 03: the CEK sizes of every enc
        (cek_and_rsa_oaep.q1, lambda cek: cek[16:]),  # A128CBC-HS256's split
        (cek_and_rsa_oaep.q3, 214),  # notebook 03's table, for 2048 bits
        (cek_and_rsa_oaep.q3, 190),
        (iv_and_aes_gcm.q1, 8),  # notebook 04: A.1's GHASH takes 8 blocks
        (iv_and_aes_gcm.q1, lambda aad_length, ciphertext_length: 8),
        (iv_and_aes_gcm.q2, a1_j0),  # notebook 04: A.1's J0
        (iv_and_aes_gcm.q2, lambda iv: a1_j0),
        (assembling_and_parsing.q1, RFC7516_A4.aad),  # notebook 05: A.4's AAD
        (tamper_lab.q2, b"@ttack at dawn"),  # notebook 07: one bit flipped
    ]
    for exercise, value in shown:
        assert not exercise.is_correct(value), (exercise.question[:40], value)


def test_the_key_questions_run_the_learners_function_on_fresh_keys():
    from jwe_steps.exercises.keys import q2, q3

    demo = RFC7516_A1.demo_key()
    # q2: the published key's thumbprint, pasted or returned for every key, is refused; so is
    # jwe_steps' own Key.thumbprint(), which cannot load the checker's small fresh keys.
    assert not q2.is_correct(demo.thumbprint())
    assert not q2.is_correct(lambda jwk: demo.thumbprint())
    assert not q2.is_correct(lambda jwk: jwe_steps.load_key(jwk).thumbprint())
    assert q2.is_correct(q2.solve())

    # q3: dp read off the JWK is refused (the checker's JWKs have none); d mod (p - 1) passes.
    def integer(text: str) -> int:
        return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")

    demo_dp = integer(RFC7516_A1.demo_key_jwk["dp"])
    assert not q3.is_correct(demo_dp)
    assert not q3.is_correct(lambda jwk: demo_dp)
    assert not q3.is_correct(lambda jwk: integer(jwk["dp"]))
    assert not q3.is_correct(lambda jwk: integer(jwk["d"]) % integer(jwk["p"]))
    assert q3.is_correct(lambda jwk: integer(jwk["d"]) % (integer(jwk["p"]) - 1))


def test_the_cek_question_is_about_a_token_made_for_the_session():
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from jwe_steps.exercises.decrypting_and_verifying import exercise_token, q2

    assert not q2.is_correct(RFC7516_A1.cek)
    published = jwe_steps.decrypt(RFC7516_A1.token, RFC7516_A1.demo_key())["cek"]
    assert not q2.is_correct(published)
    # The work, done with jwe_steps or with cryptography alone, passes.
    assert q2.is_correct(jwe_steps.decrypt(exercise_token(), RFC7516_A1.demo_key())["cek"])
    sha1 = hashes.SHA1()
    oaep = padding.OAEP(mgf=padding.MGF1(sha1), algorithm=sha1, label=None)
    encrypted_key = base64.urlsafe_b64decode(exercise_token().split(".")[1] + "==")
    assert q2.is_correct(RFC7516_A1.demo_key().material.decrypt(encrypted_key, oaep))


STAGE_QUESTIONS = [
    ("payload_and_protected_header", 4),
    ("decrypting_and_verifying", 3),
    ("tamper_lab", 1),
]


def _stage_questions() -> list[Exercise]:
    modules = [
        importlib.import_module(f"jwe_steps.exercises.{name}") for name, _ in STAGE_QUESTIONS
    ]
    return [
        next(q for q in module.EXERCISES if q.number == number)
        for module, (_, number) in zip(modules, STAGE_QUESTIONS, strict=True)
    ]


def test_one_guess_answers_at_most_one_stage_question():
    from jwe_steps.errors import Stage

    questions = _stage_questions()
    answers = [q.solve() for q in questions]
    assert all(q.is_correct(a) for q, a in zip(questions, answers, strict=True))
    assert len(set(answers)) == len(answers)  # a distinct answer per question
    names = [str(stage) for stage in Stage]
    for q, answer in zip(questions, answers, strict=True):
        for name in names:  # a bare stage name, "content_decryption" included, answers none
            assert not q.is_correct(name)
        for other in answers:  # another question's answer does not answer this one
            assert other == answer or not q.is_correct(other)
        # "content_decryption" with any second half: only this question's own pair.
        for second in [*names, "cek", "aad", "ciphertext"]:
            guess = ("content_decryption", second)
            assert q.is_correct(guess) == (guess == answer), (q.number, guess)


def test_a_wrong_pair_does_not_say_which_half_is_wrong():
    for q in _stage_questions():
        first, second = q.solve()
        other_first = "header" if first != "header" else "iv"
        other_second = "tag" if second != "tag" else "cek"
        assert q.verdict((other_first, second)) == q.verdict((first, other_second)) is not None


# -- question 2 of notebook 11: what the practice server accepts -------------------------------


def _claims_variants() -> list[dict[str, Any]]:
    from jwe_steps.exercises.signing_inside_encryption import EXERCISE_NOW, q2
    from jwe_steps.server_protocol import MAX_JTI_CHARS, MAX_NAME_CHARS, MAX_PAN_CHARS

    base = q2.solve()
    now = EXERCISE_NOW
    return [
        base,
        {**base, "pan": "P" * MAX_PAN_CHARS},
        {**base, "pan": "P" * (MAX_PAN_CHARS + 1)},
        {**base, "pan": 1234},
        {**base, "name": "N" * MAX_NAME_CHARS},
        {**base, "name": "N" * (MAX_NAME_CHARS + 1)},
        {**base, "name": ""},
        {**base, "jti": "j" * MAX_JTI_CHARS},
        {**base, "jti": "k" * (MAX_JTI_CHARS + 1)},
        {**base, "jti": ""},
        {**base, "iat": now - 200, "exp": now + 50},
        {**base, "iat": now - 100, "exp": now - 29},
        {**base, "iat": now - 100, "exp": now - 30},
        {**base, "iat": now + 31, "exp": now + 100},
        {**base, "iat": now, "exp": now + 301},
        {**base, "iat": now + 0.5, "exp": now + 60.5},
        {**base, "aud": ["jwe-steps-practice"]},
        {**base, "aud": "another-api"},
        {**base, "iss": "client-someone-else"},
    ]


def test_the_claims_checker_applies_the_servers_field_limits():
    from jwe_steps.exercises.signing_inside_encryption import q2
    from jwe_steps.server_protocol import MAX_PAN_CHARS

    base = q2.solve()
    assert q2.is_correct(base)
    assert q2.is_correct({**base, "pan": "P" * MAX_PAN_CHARS})
    assert not q2.is_correct({**base, "pan": "P" * (MAX_PAN_CHARS + 1)})  # the audit's case
    assert not q2.is_correct({**base, "name": "N" * 201})
    assert not q2.is_correct({**base, "jti": "j" * 129})
    assert not q2.is_correct({**base, "extra": 1})  # the question asks for exactly these claims
    # Claims that cannot be signed at all (sign_then_encrypt refuses them) are never accepted.
    assert not q2.is_correct({**base, "name": "a \ud800"})
    assert not q2.is_correct({**base, "jti": "\udcff"})


def test_the_claims_checker_agrees_with_the_running_practice_server():
    """Each claims set, signed and encrypted as a client sends it, to a practice server whose
    clock reads EXERCISE_NOW: the checker accepts exactly what the server answers."""
    from jwe_steps import nested
    from jwe_steps.client import ALG, ENC, JOSE_MEDIA_TYPE, SIGNING_ALG, PracticeClient
    from jwe_steps.exercises.signing_inside_encryption import EXERCISE_CLIENT_ID, EXERCISE_NOW, q2
    from jwe_steps.server import BackgroundServer

    def clock() -> float:
        return float(EXERCISE_NOW)

    server = BackgroundServer(clock=clock).start()
    try:
        with PracticeClient(server.url, clock=clock) as client:
            client_id = client.register()
            assert client.signing_key is not None
            outcomes = []
            for index, claims in enumerate(_claims_variants()):
                sent = dict(claims)
                if sent["iss"] == EXERCISE_CLIENT_ID:  # the server gave this client its own id
                    sent["iss"] = client_id
                if sent["jti"] == q2.solve()["jti"]:  # a fresh jti each: no replay refusals
                    sent["jti"] = f"agreement-{index}"
                server_key = client.server_key
                token = nested.sign_then_encrypt(
                    sent,
                    signing_key=client.signing_key,
                    signing_alg=client.signing_key.alg or SIGNING_ALG,
                    encryption_key=server_key,
                    alg=ALG,
                    enc=ENC,
                    signing_header={"kid": client.signing_key.kid},
                    encryption_header={"kid": server_key.kid},
                ).token
                answer = client.request(
                    "POST",
                    "/v1/kyc/pan",
                    token.encode("ascii"),
                    {"Content-Type": JOSE_MEDIA_TYPE, "X-Client-Id": client_id},
                )
                outcomes.append((answer.status == 200, q2.is_correct(claims), claims))
    finally:
        server.stop()
    assert [server for server, _, _ in outcomes].count(True) >= 5  # not a server refusing all
    assert [(s, c) for s, c, _ in outcomes if s != c] == []


def test_the_tamper_checker_refuses_a_fresh_token():
    from jwe_steps.exercises.tamper_lab import MESSAGE, lab_key, q3

    fresh = jwe_steps.encrypt(MESSAGE, lab_key(), alg="A256KW", enc="A256GCM").token
    assert not q3.is_correct(fresh)


def test_hidden_plaintexts_are_drawn_per_session_not_stored():
    from jwe_steps.exercises import iv_and_aes_gcm

    answer = iv_and_aes_gcm.q3.solve()
    assert answer.startswith(b'{"to":"mallet","amount":"')
    source = inspect.getsource(iv_and_aes_gcm)
    assert answer not in source.encode()


def _imports_of(module: ModuleType) -> set[str]:
    tree = ast.parse(inspect.getsource(module))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 2 or (node.level == 0 and (node.module or "").startswith("jwe_steps")):
                base = node.module or ""
                names |= {f"{base}.{alias.name}".strip(".") for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names if alias.name.startswith("jwe_steps")}
    return names


MODULE_PARAMS = [pytest.param(module, id=module.__name__.rsplit(".", 1)[1]) for module in MODULES]


@pytest.mark.parametrize("module", MODULE_PARAMS)
def test_independent_checkers_use_no_jwe_steps_code(module):
    """Outside the modules that ask about jwe_steps' behaviour, a checker reads published
    vectors (jwe_steps.examples) and computes with the standard library and cryptography."""
    short = module.__name__.rsplit(".", 1)[1]
    if short in RUNS_JWE_STEPS:
        assert "jwe_steps" in (module.__doc__ or ""), "say that its checkers run jwe_steps"
        return
    used = _imports_of(module)
    if short in RUNS_JWE_STEPS_FOR_ONE_QUESTION:
        assert "jwe_steps" in (module.__doc__ or ""), "say which checker runs jwe_steps"
        used -= RUNS_JWE_STEPS_FOR_ONE_QUESTION[short]
    assert all(name.startswith("examples") for name in used), (short, used)
