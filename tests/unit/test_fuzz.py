"""Hostile input (hypothesis): survey files, answer sets and break-even inputs.

Whatever comes in, the core answers with its documented errors, never with a crash:
- a survey file loads, or raises SurveyError whose issues read FILE:PATH: message (line N);
- an answer set gets a list of problems (`trp score`: exit code 2), or it scores, with finite
  scores in range, levers and JSON that the store accepts;
- break-even inputs get a list of problems (`trp breakeven`: exit code 2), or a finite result.
"""

from __future__ import annotations

import atexit
import json
import math
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tests.conftest import BUNDLED
from trp_core.cli.main import main
from trp_core.cli.surveys import outline
from trp_core.files.surveys import load_survey
from trp_core.method import breakeven as be
from trp_core.method.levers import assess
from trp_core.method.scoring import DONT_KNOW, check_answers, score
from trp_core.method.survey import MAX_ISSUES, Survey, SurveyError, SurveyIssue
from trp_core.method.synthetic import random_answers

# Long property runs: in the full suite, not in `dev.py test --quick`.
pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
SAMPLE = settings(FUZZ, max_examples=150)  # the CLI entry points, in a process-like harness

SURVEY_FILES = {p.stem: p for p in BUNDLED}
SURVEY_TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in BUNDLED}
SURVEY_DATA = {name: yaml.safe_load(text) for name, text in SURVEY_TEXTS.items()}
SURVEYS = {p.stem: load_survey(p) for p in BUNDLED}
INFINITE_MAX = SURVEY_TEXTS["trp-cloud"].replace("        max: 1000\n", "        max: 1e999\n", 1)
WORK = Path(tempfile.mkdtemp(prefix="trp-fuzz-"))  # the files under test, one at a time
atexit.register(shutil.rmtree, WORK, ignore_errors=True)


# --- what a documented error looks like -------------------------------------------------------

YAML_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")
ISSUE = re.compile(r"^(?P<file>[^\n]+?):(?P<path>[^\n]*): (?P<message>[^\n]+?)(?: \(line (?P<line>\d+)\))?$")


def load_or_issues(raw: bytes, name: str = "survey.yaml") -> Survey | None:
    """Load `raw` as a survey file; None after checking that the SurveyError is well formed."""
    path = WORK / name
    path.write_bytes(raw)
    try:
        survey = load_survey(path)
    except SurveyError as exc:
        check_issues(exc, path, raw)
        event("refused with issues")
        return None
    usable(survey)
    event("loaded")
    return survey


def check_issues(exc: SurveyError, path: Path, raw: bytes) -> None:
    assert exc.issues, "a SurveyError names at least one problem"
    assert len(exc.issues) <= MAX_ISSUES + 1
    # YAML breaks lines at \r and NEL, LS, PS too; an error may be found after the last line.
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
    lines = max(raw.count(b"\n"), len(YAML_BREAKS.findall(text))) + 2
    for issue in exc.issues:
        assert isinstance(issue, SurveyIssue)
        assert issue.file == str(path)
        assert issue.message.strip(), issue
        assert issue.line is None or 1 <= issue.line <= lines, (issue, lines)
        shown = str(issue)
        match = ISSUE.match(shown)
        assert match, f"not of the form FILE:PATH: message (line N): {shown!r}"
        assert match["file"] == str(path)
        assert "Traceback" not in shown
    assert str(exc) == "\n".join(str(i) for i in exc.issues)


def usable(survey: Survey) -> None:
    """A survey that loads can be shown, hashed, stored as JSON and scored."""
    content = json.dumps(survey.model_dump(mode="json"), allow_nan=False)
    assert Survey.model_validate(json.loads(content)).content_hash == survey.content_hash, "snapshots reload"
    assert outline(survey, "en")
    # Nothing answered: undetermined, unless min_coverage is next to nothing (a survey may set 1e-16).
    empty = score(survey, {})
    assert empty.quadrant.value == "undetermined" or survey.min_coverage < 1e-6
    if survey.calculator:
        finite_breakeven(be.compute(survey.calculator.default_inputs()), survey.calculator.horizon_months)


def finite_breakeven(result: be.BreakEven, horizon: int) -> None:
    assert len(result.cumulative) == horizon + 1 and len(result.gross_profit) == horizon
    assert all(math.isfinite(x) for x in [*result.cumulative, *result.gross_profit])
    assert result.break_even_month is None or 1 <= result.break_even_month <= horizon
    assert result.roi_12 is None or math.isfinite(result.roi_12)
    required = result.required_deals_per_month
    assert required is None or 0 <= required <= be.MAX_REQUIRED_DEALS
    json.dumps(result.model_dump(mode="json"), allow_nan=False)


# --- (1) survey files ---------------------------------------------------------------------------

FRAGMENTS = [
    "id: x", "version: 1", "sections:", "weights:", "questions:", "- id: q", "type: choice",
    "criterion: staff", "{de: a, en: b}", "[1, 2]", "[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]",
    "{a: {b: {c: {d: {e: {f: {g: {h: {i: {j: {k: {l: {m: {n: {o: {p: {q: {r: {s: {t: {u: 1}}}}}}}}}}}}}}}}}}}}}",
    "&anchor", "*anchor", "<<: *anchor", "&a [1, 2]", "!!python/object/apply:os.system ['true']",
    "!!python/name:os.system", "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!foo bar",
    "!<tag:yaml.org,2002:str> x", "!!str 5", "!!int abc", "!!float x", "!!timestamp 2001-12-14",
    "!!null ''", "!!map {}", "!!seq []", "? complex key", ": value", "1e999", "-1e999", "1e308",
    "9" * 99, "9" * 101, "0x1F", "0o17", "1_000", "+.5", ".nan", ".inf", "-.inf", "NaN", "Infinity",
    "~", "null", "yes", "no", "on", "off", "True", "FALSE", "2001-12-14t21:59:43.10-05:00",
    "'quoted'", '"esc \\x00 \\u2028 \\U0001F600"', "|\n  block\n  text", ">-\n  folded", "\ufeff",
    "\x00", "\t", "\x1b", "\x85", "\u2028", "\ud7ff", "\U0001f600", "ä: ö", "---", "...", "%YAML 1.1",
    "%TAG ! tag:example.com,2000:", "#comment", "- - - x", "a: b: c", "a:\n  - b\n  - c",
    "key: value\nkey: other", "'unterminated", '"unterminated', "[unclosed", "{unclosed", "}", "]",
    "[" * 5000 + "]" * 5000, "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 60)),
]  # fmt: skip
SEPARATORS = ["", " ", "\n", "\n  ", "\n    ", ": ", "- ", ", ", "\r\n", "\n- ", ":"]

yamlish = st.lists(
    st.tuples(st.sampled_from(FRAGMENTS) | st.text(max_size=8), st.sampled_from(SEPARATORS)),
    max_size=30,
).map(lambda parts: "".join(f + s for f, s in parts))


def _line_insert(text: str, fragment: str, at: int, indent: int) -> str:
    lines = text.split("\n")
    at %= len(lines) + 1
    return "\n".join([*lines[:at], " " * indent + fragment, *lines[at:]])


spliced = st.builds(
    _line_insert,
    st.sampled_from(sorted(SURVEY_TEXTS.values())),
    yamlish,
    st.integers(0, 2000),
    st.sampled_from([0, 2, 4, 6, 8]),
)


@FUZZ
@given(st.binary(max_size=3000) | st.text(max_size=1500).map(str.encode))
@example(b"{")  # libyaml reports the end of a one-line file as line 2
@example(b"id: x\xc2\x85\xc2\x85id: y")  # NEL breaks YAML lines
def test_arbitrary_bytes_and_text_load_or_give_documented_issues(raw: bytes):
    load_or_issues(raw)


@FUZZ
@given(
    st.one_of(yamlish, spliced),
    st.sampled_from([b"", b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf"]),
    st.sampled_from(["utf-8", "utf-16", "latin-1"]),
)
@example('"a\\nb": !!binary aGVsbG8=', b"", "utf-8")  # a line break in a key: the issue stays one line
def test_yaml_fragments_load_or_give_documented_issues(text: str, bom: bytes, encoding: str):
    load_or_issues(bom + text.encode(encoding, errors="replace"))


# Mutations of the bundled surveys. A raw token is written into the YAML text as is.
RAW_TOKENS = [
    "1e999", "-1e999", ".nan", ".inf", "9" * 120, "!!binary aGVsbG8=", "*nowhere", "&a 5",
    "!!python/object/apply:os.system ['true']", "[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]",
    "'\\x00'", '"\\x00"', '"\\ud800"', "!!set {a}", "2001-12-14", "0x10", "1_000", "+1", "-0", "1e-400",
]  # fmt: skip
WORDS = ["choice", "scale", "number", "yesno", "text", "kann", "will", "staff", "de", "en",
         "recurring", "one_off", "partner", "internal", "x" * 300, ""]  # fmt: skip
hostile_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 1, 2, 100, 101, 1e308, -1e308, 5e-324, 0.5, 1.5, 60, 12, 11, 1000]),
    st.text(max_size=20),
    st.sampled_from(WORDS),
    st.lists(st.integers(-5, 200), max_size=4),
    st.dictionaries(st.sampled_from(["de", "en", "id", "x"]), st.text(max_size=5), max_size=3),
    st.sampled_from(range(len(RAW_TOKENS))).map(lambda i: f"RAWTOKEN{i}X"),
)


RAW = re.compile("[\"']?RAWTOKEN([0-9]+)X[\"']?")


@st.composite
def _node_path(draw: st.DrawFn, data: Any) -> tuple:
    """A path to a random node below the top: descend until stopping or reaching a leaf."""
    path: tuple = ()
    node = data
    while isinstance(node, dict | list) and node:
        key = draw(st.sampled_from(list(node.keys()) if isinstance(node, dict) else range(len(node))))
        path, node = (*path, key), node[key]
        if draw(st.integers(0, 4)) == 0:
            break
    return path


def _get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


def _same_kind(value: Any) -> st.SearchStrategy[Any]:
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int | float):
        return st.integers(0, 130) | st.floats(0, 150) | st.sampled_from([0, 1, 0.5, 100, 1e6, 1e308])
    if isinstance(value, str):
        return st.from_regex(r"\A[a-z][a-z0-9_]{0,10}\Z") | st.text(min_size=1, max_size=30)
    if isinstance(value, list):
        return st.just(value[: len(value) // 2] or value) | st.just(value[::-1])
    return st.just(value)


@st.composite
def mutated_surveys(draw: st.DrawFn) -> str:
    """A bundled survey, changed in one to four places, as JSON text (JSON is YAML, and fast to write)."""
    name = draw(st.sampled_from(sorted(SURVEY_DATA)))
    data = json.loads(json.dumps(SURVEY_DATA[name]))  # a deep copy
    for _ in range(draw(st.integers(1, 3))):
        path = draw(_node_path(data))
        if not path:
            break
        parent, key = _get(data, path[:-1]), path[-1]
        op = draw(
            st.sampled_from(
                ["nudge", "nudge", "delete", "replace", "duplicate", "swap", "wrap", "rename", "add"]
            )
        )
        if op == "nudge":  # a value of the same kind: often still a valid survey
            parent[key] = draw(_same_kind(parent[key]))
        elif op == "delete":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(hostile_values)
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, json.loads(json.dumps(parent[key])))
        elif op == "swap":
            siblings = list(parent.keys()) if isinstance(parent, dict) else list(range(len(parent)))
            other = draw(st.sampled_from(siblings))
            parent[key], parent[other] = parent[other], parent[key]
        elif op == "wrap":
            parent[key] = draw(st.sampled_from([[parent[key]], {"value": parent[key]}, str(parent[key])]))
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from([f"{key}s", str(key).upper(), f" {key}", "type", "id"]))] = (
                parent.pop(key)
            )
        elif isinstance(parent, dict):  # add
            parent[draw(st.text(min_size=1, max_size=8))] = draw(hostile_values)
    text = json.dumps(data, ensure_ascii=False, separators=(",\n", ": "))  # C encoder, one value a line
    return RAW.sub(lambda m: RAW_TOKENS[int(m.group(1))], text)


@FUZZ
@given(mutated_surveys())
@example(INFINITE_MAX)  # infinity would load, then fail to be stored as JSON
def test_mutated_bundled_surveys_load_or_give_documented_issues(text: str):
    load_or_issues(text.encode())


def test_the_bundled_surveys_pass_the_same_checks():
    """The oracle itself: the unmutated files load and are usable."""
    for path in BUNDLED:
        usable(load_survey(path))


# --- (2) answers ------------------------------------------------------------------------------

hostile_answers = st.one_of(
    st.none(),
    st.booleans(),
    st.just(DONT_KNOW),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),  # NaN and ±inf included
    st.sampled_from([0, 1, 2, 5, 6, 11, 12, -1, 0.5, 1.0, 1e308, -0.0, 5e-324, 1e9, 1e15]),
    st.text(max_size=30),
    st.text(min_size=495, max_size=520),
    st.text(alphabet=st.characters(max_codepoint=0x20), max_size=20),  # NUL and control characters
    st.sampled_from(["yes", "no", "true", " dont_know", "DONT_KNOW", "1", "1e999", "NaN"]),
    st.recursive(
        st.none() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
        max_leaves=6,
    ),
)


def _option_ids(survey: Survey) -> list[str]:
    return sorted({o.id for q in survey.questions for o in getattr(q, "options", [])})


@st.composite
def answer_sets(draw: st.DrawFn, survey: Survey) -> dict[str, Any]:
    calc = survey.calculator
    ids = [q.id for q in survey.questions] + (list(calc.inputs) if calc else [])
    if draw(st.booleans()):  # a valid answer set with a few answers spoiled
        answers = random_answers(survey, draw(st.randoms(use_true_random=False)), answer_rate=0.9)
    else:
        answers = {}
    keys = st.sampled_from(ids) | st.text(max_size=12) | st.sampled_from(["survey", "answers", ""])
    values = hostile_answers | st.sampled_from(_option_ids(survey))
    for _ in range(draw(st.integers(0, 6))):
        answers[draw(keys)] = draw(values)
    return answers


def check_scored(survey: Survey, answers: dict[str, Any]) -> None:
    """An answer set that check_answers accepts scores, with finite results in range."""
    result = assess(survey, answers)
    for axis in result.axes.values():
        assert axis.score is None or (math.isfinite(axis.score) and 0 <= axis.score <= 100)
        assert 0 <= axis.coverage <= 1 + 1e-9
    for criterion in result.criteria.values():
        assert criterion.score is None or (math.isfinite(criterion.score) and 0 <= criterion.score <= 100)
    if result.breakeven is not None:
        assert all(math.isfinite(x) for x in result.breakeven.cumulative)
    for steps in (result.levers.kann.steps, result.levers.will.steps):
        assert all(0 <= s.score_after <= 100 for s in steps)
    json.dumps(result.model_dump(mode="json"), allow_nan=False)
    json.dumps(answers, allow_nan=False)  # what the store keeps


def problems_are_documented(problems: list[str]) -> None:
    for p in problems:
        assert isinstance(p, str) and p.startswith(("answers.", "survey: ")) and ": " in p, p


@pytest.mark.parametrize("name", sorted(SURVEYS))
@FUZZ
@given(data=st.data())
def test_hostile_answers_give_problems_or_valid_scores(name: str, data: st.DataObject):
    survey = SURVEYS[name]
    answers = data.draw(answer_sets(survey))
    survey_id = data.draw(st.sampled_from([survey.id, None, "other-survey"]))
    problems = check_answers(survey, answers, survey_id)
    problems_are_documented(problems)
    event("problems" if problems else "scored")
    if not problems:
        check_scored(survey, answers)


@pytest.mark.parametrize("name", sorted(SURVEYS))
def test_known_hostile_answers_give_problems(name: str):
    survey = SURVEYS[name]
    number = next(q.id for q in survey.scored_questions if q.type == "number")
    figure = survey.calculator.asked[0]
    for value in (10**400, -(10**400), float("nan"), float("inf"), True, [1], {"a": 1}, "\x00"):
        for key in (number, figure):
            problems = check_answers(survey, {key: value}, survey.id)
            assert len(problems) == 1 and problems[0].startswith(f"answers.{key}: "), problems
    # A pasted text of 100 kB (Streamlit accepts the message, tests/e2e/test_message_size.py) is
    # refused before it is stored: at most the question's max_length.
    text = next(q for q in survey.questions if q.type == "text")
    problems = check_answers(survey, {text.id: "a" * 100_000}, survey.id)
    assert problems == [
        f"answers.{text.id}: is 100000 characters long; at most {text.max_length} are allowed"
    ]
    assert check_answers(survey, {text.id: "a" * text.max_length}, survey.id) == []


# --- (3) break-even inputs --------------------------------------------------------------------

hostile_figures = st.one_of(
    st.floats(),  # NaN and ±inf included
    st.floats(min_value=-1e6, max_value=1e7),
    st.floats(min_value=0, max_value=2),  # fractions above 1
    st.sampled_from(
        [0, 0.0, -0.0, 1, -1, 1e308, -1e308, 1.7976931348623157e308, 5e-324, 1e15, 1e-300, 120, 121]
    ),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.booleans(),
    st.none(),
    st.text(max_size=10),
    st.lists(st.integers(), max_size=2),
)
figures = st.fixed_dictionaries(
    {name: hostile_figures for name in be.REQUIRED_INPUTS},
    optional={
        "model": st.sampled_from(["one_off", "recurring", "ONE_OFF", "", "subscription"]) | hostile_figures,
        **{name: hostile_figures for name in be.INPUT_NAMES if name not in be.REQUIRED_INPUTS},
        "unknown_input": hostile_figures,
    },
)


def _plausible(name: str) -> st.SearchStrategy[Any]:
    """Values of the right kind, from zero to astronomic, with a hostile one now and then."""
    if name in be.FRACTION_INPUTS:
        kind = st.floats(0, 1) | st.sampled_from([0, 1, 5e-324, 1 - 1e-16])
    elif name in be.INTEGER_INPUTS:
        kind = st.integers(0, 130)
    else:
        kind = st.floats(0, 1e6) | st.floats(0, 1e308) | st.sampled_from([0, 5e-324, 1e-300, 1e15, 1e308])
    return st.integers(0, 7).flatmap(lambda i: hostile_figures if i == 0 else kind)


plausible = st.fixed_dictionaries(
    {"model": st.sampled_from(["one_off", "recurring"]), **{n: _plausible(n) for n in be.REQUIRED_INPUTS}},
    optional={n: _plausible(n) for n in be.INPUT_NAMES if n not in be.REQUIRED_INPUTS},
)


TINY = {"model": "one_off", "investment": 0.0, "fixed_costs_per_month": 1.0, "deals_per_month": 1.0,
        "deal_value": 1.0, "margin": 1.0}  # fmt: skip
breakeven_inputs = st.integers(0, 3).flatmap(lambda i: figures if i == 0 else plausible)


@FUZZ
@given(breakeven_inputs)
@example({**TINY, "margin": 2.2e-309, "deals_per_month": 0.0})  # required deals: math.ceil(inf)
@example({**TINY, "fixed_costs_per_month": 5e-324})  # roi_12 divided by almost nothing
@example({**TINY, "deal_value": 1e308, "deals_per_month": 1e308})  # the sums overflow
@example({**TINY, "investment": float("inf")})
@example({**TINY, "margin": float("nan")})
@example({**TINY, "ramp_up_months": 2 * 10**400})  # d(t) = D·k/R: R too large for a float
def test_hostile_breakeven_inputs_give_problems_or_finite_results(data: dict[str, Any]):
    problems = be.input_errors(data)
    for p in problems:
        assert isinstance(p, str) and re.match(r"^[a-z_0-9.]+: \S", p), p
    event("problems" if problems else "computed")
    if not problems:
        inputs = be.BreakEvenInputs.model_validate(data)
        finite_breakeven(be.compute(inputs), inputs.horizon_months)


# --- the CLI entry points ---------------------------------------------------------------------


def run_cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


SPECIAL_JSON = ["NaN", "Infinity", "-Infinity", "1" + "0" * 5000, "1e999", "-0", "[]", "null", '"x"', "{", ""]


@st.composite
def json_files(draw: st.DrawFn, body: st.SearchStrategy[Any]) -> str:
    text = json.dumps(draw(body))
    if draw(st.booleans()):  # a raw JSON token in place of one value
        token = draw(st.sampled_from(SPECIAL_JSON))
        text = re.sub(r"(?<=: )[^,{}\[\]]+", token, text, count=1) if ": " in text else token
    return text


@SAMPLE
@given(json_files(breakeven_inputs))
@example('{"model": ' + "1" * 5000 + "}")  # Python refuses to read integers of over 4300 digits
@example("[" * 100_000 + "]" * 100_000)  # nested too deeply for the JSON reader
def test_trp_breakeven_exits_0_or_2(text: str):
    path = WORK / "inputs.json"
    path.write_text(text, encoding="utf-8")
    result = run_cli("breakeven", str(path))
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 0:
        out = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in the output"))
        assert out["break_even_month"] is None or out["break_even_month"] >= 1
    else:
        assert result.stderr.strip() and all(
            line.startswith(f"{path}:") for line in result.stderr.splitlines()
        )


@SAMPLE
@given(st.data())
def test_trp_score_exits_0_or_2(data: st.DataObject):
    name = data.draw(st.sampled_from(sorted(SURVEYS)))
    survey = SURVEYS[name]
    body = answer_sets(survey).map(lambda a: {"survey": survey.id, "answers": a})
    text = data.draw(json_files(body | hostile_answers))
    path = WORK / "answers.json"
    path.write_text(text, encoding="utf-8")
    result = run_cli("score", "--survey", str(SURVEY_FILES[name]), str(path))
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 0:
        json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in the output"))


@SAMPLE
@given(st.one_of(yamlish, spliced, mutated_surveys()))
def test_trp_validate_exits_0_or_1(text: str):
    path = WORK / "cli-survey.yaml"
    path.write_text(text, encoding="utf-8", errors="replace")
    result = run_cli("validate", str(path))
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert all(ISSUE.match(line) for line in result.stderr.splitlines()), result.stderr
