"""Survey files: the bundled ones load, and every malformed one is refused with a readable line.

Each file in tests/malformed/ is the minimal valid survey (tests/malformed/valid/minimal.yaml)
or the worked example (tests/surveys/worked-example.yaml) with exactly one defect, named in
its first line (empty and binary files aside). Its one issue must read `FILE:PATH: message (line N)`.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from trp_core.files import yaml_reader
from trp_core.files.surveys import MAX_FILE_BYTES, load_survey
from trp_core.files.yaml_reader import MAX_DEPTH, parse_yaml
from trp_core.method.survey import MAX_ISSUES, SurveyError

TESTS = Path(__file__).resolve().parent.parent
MALFORMED = TESTS / "malformed"
MINIMAL = MALFORMED / "valid" / "minimal.yaml"
WORKED_EXAMPLE = TESTS / "surveys" / "worked-example.yaml"
BUNDLED = sorted((TESTS.parent / "surveys").glob("*.yaml"))

# file name: (the PATH.IN.FILE the issue names, a substring of its message)
EXPECTED: dict[str, tuple[str, str]] = {
    # YAML itself
    "yaml-syntax-error.yaml": ("<top>", "YAML syntax error"),
    "tab-indentation.yaml": ("<top>", "a tab character; YAML indents with spaces only"),
    "duplicate-yaml-key.yaml": ("weights.staff", "duplicate key 'staff': it already appears on line 11"),
    "multi-document.yaml": ("<top>", "a survey file holds one YAML document"),
    "root-is-list.yaml": ("<top>", "must be a mapping of keys to values (id: ..., title: ...), not a list"),
    "root-is-scalar.yaml": (
        "<top>",
        "must be a mapping of keys to values (id: ..., title: ...), not a single",
    ),
    "huge-integer.yaml": ("minutes", "a number of 5,000 characters is too long"),
    # hostile files
    "python-tag-os-system.yaml": ("version", "the tag !!python/object/apply:os.system is not allowed"),
    "python-tag-name.yaml": ("contact.name", "the tag !!python/name:os.system is not allowed"),
    "custom-tag.yaml": ("sections.0.questions.0.max", "the tag !env is not allowed"),
    "alias-bomb.yaml": ("a", "anchors and aliases (&name, *name) are not allowed"),
    "anchor-and-alias.yaml": ("title", "anchors and aliases (&name, *name) are not allowed"),
    "deep-nesting.yaml": ("description" + ".0" * (MAX_DEPTH - 1), f"nested deeper than {MAX_DEPTH} levels"),
    # not YAML text at all
    "empty.yaml": ("<top>", "the file is empty"),
    "whitespace-only.yaml": ("<top>", "the file is empty"),
    "only-comments.yaml": ("<top>", "the file holds no survey"),
    "binary.yaml": ("<top>", "this is a binary file, not a YAML survey"),
    "invalid-utf8.yaml": ("<top>", "the file is not valid UTF-8 text (byte 54); save it as UTF-8"),
    # keys and types
    "unknown-key.yaml": ("sections.0.questions.0", "unknown key 'weigth'"),
    "unknown-top-level-key.yaml": ("<top>", "unknown key 'minuts'"),
    "missing-key.yaml": ("sections.0.questions.0", "missing required key 'criterion'"),
    "missing-translation.yaml": ("title", "missing required key 'en'"),
    "empty-translation.yaml": ("sections.1.questions.1.text.en", "must not be empty"),
    "wrong-type-points.yaml": ("sections.0.questions.1.options.0.points", "must be a number (got 'many')"),
    "wrong-type-bool.yaml": (
        "sections.1.questions.0.options.1.knockout",
        "must be true or false (got 'perhaps')",
    ),
    "wrong-type-sections.yaml": ("sections", "must be a list, one '- ' item per entry (got a mapping)"),
    "wrong-type-text.yaml": (
        "sections.1.questions.0.text",
        "must be a text in both languages, {de: ..., en: ...}",
    ),
    "bad-question-id.yaml": ("sections.1.questions.0.id", "must be an id: a lower-case letter"),
    "contact-url-not-https.yaml": ("contact.url", "must be an https:// address"),
    # ids
    "duplicate-option-id.yaml": ("sections.0.questions.1.options.1.id", "duplicate option id 'low'"),
    "duplicate-question-id.yaml": ("sections.1.questions.0.id", "duplicate question id 'customers'"),
    "duplicate-section-id.yaml": ("sections.1.id", "duplicate section id 'ability'"),
    "question-id-is-calculator-input.yaml": ("sections.1.questions.0.id", "is also a calculator input name"),
    # questions
    "wrong-question-type.yaml": ("sections.0.questions.0.type", "unknown question type 'slider'"),
    "missing-question-type.yaml": ("sections.1.questions.0", "missing required key 'type'"),
    "unknown-criterion.yaml": ("sections.1.questions.0.criterion", "unknown criterion 'urgency'"),
    "criterion-on-wrong-axis.yaml": (
        "sections.0.questions.0.criterion",
        "a criterion of axis 'will', but this section is on axis 'kann'",
    ),
    "text-question-knockout.yaml": ("sections.1.questions.1.knockout", "cannot be a knock-out"),
    # a calculator input filled from a question's answer (from_question)
    "link-to-unknown-question.yaml": (
        "calculator.inputs.deals_per_month.from_question",
        "no question 'new_customers' in this survey",
    ),
    "link-to-choice-question.yaml": (
        "calculator.inputs.deals_per_month.from_question",
        "question 'addressable' is a choice question; only a number question's answer can fill",
    ),
    "link-range-wider-than-input.yaml": (
        "calculator.inputs.deals_per_month.from_question",
        "question 'customers' takes 0 to 10000, but deals_per_month takes 0 to 100",
    ),
    "points-above-100.yaml": ("sections.0.questions.1.options.1.points", "must be at most 100 (got 120)"),
    "bands-not-increasing.yaml": (
        "sections.0.questions.0.bands.2",
        "must be strictly increasing, but 25 follows 500",
    ),
    "band-points-out-of-range.yaml": ("sections.0.questions.0.bands.0.1", "must be at least 0 (got -10)"),
    "band-x-not-a-number.yaml": (
        "sections.0.questions.0.bands.1.0",
        "band x values must be finite numbers (got nan)",
    ),
    "band-not-a-pair.yaml": ("sections.0.questions.0.bands.1", "must be a pair [x, points] (got 3 values)"),
    "number-max-not-above-min.yaml": (
        "sections.0.questions.0.max",
        "max (10000) must be greater than min (10000)",
    ),
    "knockout-below-out-of-range.yaml": (
        "sections.0.questions.0.knockout_below",
        "knockout_below (20000) must lie above min (0) and not above max (10000)",
    ),
    # weights
    "unknown-criterion-in-weights.yaml": (
        "weights.urgency",
        "unknown criterion 'urgency'; the criteria are fixed",
    ),
    "weights-missing-criterion.yaml": (
        "weights",
        "every criterion needs a weight (0 = not asked); missing: reputation",
    ),
    "weight-negative.yaml": ("weights.staff", "must be between 0 and 100 (got -1)"),
    "weight-without-question.yaml": ("weights.fast_start", "has weight 1 but nothing measures it"),
    "weight-zero-but-asked.yaml": ("weights.customer_base", "has weight 0 but is asked"),
    "axis-without-weight.yaml": ("weights", "axis 'will' needs at least one criterion with a weight above 0"),
    "min-coverage-too-small.yaml": ("min_coverage", "must be at least 0.01 (got 1e-16)"),
    # calculator
    "unknown-calculator-input.yaml": ("calculator.inputs.bonus_per_deal", "unknown input 'bonus_per_deal'"),
    "calculator-input-of-other-model.yaml": (
        "calculator.inputs.churn_per_month",
        "churn_per_month belongs to the recurring model, not to one_off",
    ),
    "missing-calculator-input.yaml": ("calculator.inputs", "required inputs missing: margin"),
    "calculator-default-outside-range.yaml": (
        "calculator.inputs.investment.default",
        "default (2000000) must lie between min (0) and max (1000000)",
    ),
    "fraction-default-above-1.yaml": (
        "calculator.inputs.margin.default",
        "default (1.5) must lie between min (0) and max (1)",
    ),
    "calculator-whole-months.yaml": ("calculator.inputs.first_deal_month.default", "counts whole months"),
    "fraction-max-above-1.yaml": (
        "calculator.inputs.margin.max",
        "margin is a fraction: max must be at most 1",
    ),
}

# The line each of these issues must name.
EXPECTED_LINE: dict[str, int] = {
    "yaml-syntax-error.yaml": 5,
    "tab-indentation.yaml": 29,
    "duplicate-yaml-key.yaml": 12,
    "link-to-choice-question.yaml": 58,
    "multi-document.yaml": 64,
    "python-tag-os-system.yaml": 3,
    "alias-bomb.yaml": 4,
    "deep-nesting.yaml": 5,
    "invalid-utf8.yaml": 1,
    "unknown-key.yaml": 30,
    "points-above-100.yaml": 37,
    "duplicate-question-id.yaml": 42,
    "weight-without-question.yaml": 13,
}

# Python and pydantic leaking through: a survey author cannot act on any of these.
UNREADABLE = re.compile(
    r"pydantic|ValidationError|Traceback|For further information visit|errors\.pydantic\.dev|"
    r"Value error,|instance of|after validation|type=|BreakEvenInputs|CalculatorInput|Question\b|"
    r"tag:yaml\.org|<unicode string>"
)

PARSERS = [
    pytest.param(
        True,
        id="libyaml",
        marks=pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml"),
    ),
    pytest.param(False, id="pure-python"),
]


@pytest.fixture(params=PARSERS)
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Run a test with libyaml and with PyYAML's own parser: the messages must not differ."""
    monkeypatch.setattr(yaml_reader, "_FAST_PARSER", request.param)
    return request.param


def rejected(path: Path) -> SurveyError:
    with pytest.raises(SurveyError) as info:
        load_survey(path)
    error = info.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__), (
        "a SurveyError must not chain another exception's traceback"
    )
    return error


def assert_readable(text: str) -> None:
    assert "\n" not in text
    leak = UNREADABLE.search(text)
    assert leak is None, f"{leak.group()!r} in {text!r}"


def minimal_text() -> str:
    return MINIMAL.read_text(encoding="utf-8")


def replaced(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# --- the files in tests/malformed/ ------------------------------------------------------------


def test_every_malformed_file_has_an_expected_message() -> None:
    files = {p.name for p in MALFORMED.iterdir() if p.is_file()}
    assert files == set(EXPECTED), "add the new file to EXPECTED, or remove the entry of a deleted one"
    assert len(files) >= 30


@pytest.mark.usefixtures("parser")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_is_refused_with_a_readable_message(name: str) -> None:
    path = MALFORMED / name
    expected_path, expected_message = EXPECTED[name]
    error = rejected(path)
    assert len(error.issues) == 1, f"one defect, one issue; got {[str(i) for i in error.issues]}"
    line = str(error.issues[0])
    assert line.startswith(f"{path}:{expected_path}: "), line
    assert expected_message in line, line
    assert_readable(line)
    if name in EXPECTED_LINE:
        assert line.endswith(f" (line {EXPECTED_LINE[name]})"), line


def test_the_base_of_the_malformed_files_is_valid() -> None:
    assert load_survey(MINIMAL).id == "minimal"


def test_python_tags_execute_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[object] = []

    def record(*args: object, **kwargs: object) -> int:
        calls.append(args)
        return 0

    monkeypatch.setattr(os, "system", record)
    monkeypatch.setattr(subprocess, "Popen", record)
    sentinel = tmp_path / "pwned"
    path = tmp_path / "apply.yaml"
    path.write_text(
        replaced(
            minimal_text(), 'version: "1"', f'version: !!python/object/apply:os.system ["touch {sentinel}"]'
        ),
        encoding="utf-8",
    )
    for file in (path, MALFORMED / "python-tag-os-system.yaml", MALFORMED / "python-tag-name.yaml"):
        rejected(file)
    assert calls == [] and not sentinel.exists()


# --- generated files: too large for the repository ---------------------------------------------


def test_file_over_one_megabyte(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    text = minimal_text().encode()
    path.write_bytes(text + b"#" * (MAX_FILE_BYTES + 1 - len(text)))  # one byte too many
    error = rejected(path)
    assert [str(i) for i in error.issues] == [
        f"{path}:<top>: the file is {MAX_FILE_BYTES + 1:,} bytes; survey files may be at most {MAX_FILE_BYTES:,} bytes"
    ]


@pytest.mark.usefixtures("parser")
@pytest.mark.parametrize(
    ("deep", "line_number"),
    [
        pytest.param("[" * 10_000 + "1" + "]" * 10_000, 2, id="flow-sequences"),
        pytest.param("{a: " * 10_000 + "1" + "}" * 10_000, 2, id="flow-mappings"),
        pytest.param("[" * 10_000, 2, id="unclosed"),
        pytest.param("\n  " + "- " * 10_000 + "1", 3, id="block-sequences"),
    ],
)
def test_ten_thousand_levels_of_nesting(tmp_path: Path, deep: str, line_number: int) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(f"id: deep\ndescription: {deep}\n", encoding="utf-8")
    error = rejected(path)
    assert len(error.issues) == 1
    line = str(error.issues[0])
    assert line.startswith(f"{path}:"), line
    assert f"nested deeper than {MAX_DEPTH} levels" in line, line
    assert line.endswith(f" (line {line_number})"), line
    assert_readable(line)


def test_half_a_million_tiny_values_just_under_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "flood.yaml"
    text = minimal_text() + "flood: ["
    text += "1," * ((MAX_FILE_BYTES - len(text.encode()) - 3) // 2) + "1]\n"
    path.write_text(text, encoding="utf-8")
    assert MAX_FILE_BYTES - 5 < path.stat().st_size <= MAX_FILE_BYTES
    error = rejected(path)
    assert [str(i) for i in error.issues] == [
        f"{path}:<top>: unknown key 'flood'; check its spelling against the documented keys (line 65)"
    ]


# --- several defects, many defects -------------------------------------------------------------


@pytest.mark.usefixtures("parser")
def test_several_defects_are_all_listed(tmp_path: Path) -> None:
    text = minimal_text()
    text = replaced(text, "title: {de: Minimal, en: Minimal}", "title: {de: Minimal}")
    text = replaced(text, "        max: 10000\n", "        max: 10000\n        weigth: 2\n")
    text = replaced(
        text,
        "{id: high, label: {de: viel, en: many}, points: 75}",
        "{id: high, label: {de: viel, en: many}, points: 120}",
    )
    text = replaced(text, "url: https://example.com/partners", "url: http://example.com/partners")
    path = tmp_path / "several.yaml"
    path.write_text(text, encoding="utf-8")
    lines = [str(i) for i in rejected(path).issues]
    assert lines == [
        f"{path}:title: missing required key 'en' (line 5)",
        f"{path}:sections.0.questions.0: unknown key 'weigth'; check its spelling against the documented keys (line 31)",
        f"{path}:sections.0.questions.1.options.1.points: must be at most 100 (got 120) (line 39)",
        f"{path}:contact.url: must be an https:// address without spaces (got 'http://example.com/partners') (line 65)",
    ]


def test_thousands_of_defects_are_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(minimal_text() + "".join(f"extra_{i}: 1\n" for i in range(5000)), encoding="utf-8")
    issues = rejected(path).issues
    assert len(issues) == MAX_ISSUES + 1
    assert (
        str(issues[0])
        == f"{path}:<top>: unknown key 'extra_0'; check its spelling against the documented keys (line 65)"
    )
    assert (
        str(issues[-1])
        == f"{path}:<top>: {5000 - MAX_ISSUES:,} more problems not listed; fix the ones above first"
    )


# --- valid files -------------------------------------------------------------------------------


def test_there_are_bundled_surveys() -> None:
    assert BUNDLED, "surveys/ holds no *.yaml file"


@pytest.mark.usefixtures("parser")
@pytest.mark.parametrize("path", [*BUNDLED, WORKED_EXAMPLE, MINIMAL], ids=lambda p: p.name)
def test_valid_survey_loads(path: Path) -> None:
    survey = load_survey(path)
    assert survey.sections and survey.weights


@pytest.mark.parametrize("path", [*BUNDLED, WORKED_EXAMPLE], ids=lambda p: p.name)
def test_both_parsers_read_the_same_data(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8")
    monkeypatch.setattr(yaml_reader, "_FAST_PARSER", False)
    pure = parse_yaml(text)
    if yaml.__with_libyaml__:
        monkeypatch.setattr(yaml_reader, "_FAST_PARSER", True)
        assert parse_yaml(text) == pure
