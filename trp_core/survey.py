"""Pydantic models of a survey file, and safe loading with messages of the form FILE:PATH: message."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Final, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .breakeven import INPUT_NAMES, INTEGER_INPUTS, MODEL_INPUTS, REQUIRED_INPUTS, BreakEvenInputs, Model
from .method import AXIS_CRITERIA, CRITERION_AXIS, Axis, Criterion, Quadrant

MAX_FILE_BYTES: Final = 1_000_000
MAX_DEPTH: Final = 20
TEXT_ANSWER_MAX: Final = 500
ID_PATTERN: Final = r"^[a-z][a-z0-9_]{0,63}$"

Points = Annotated[float, Field(ge=0, le=100)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Text(_Model):
    """A text in both languages of the app."""

    de: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.de


class _Question(_Model):
    id: str = Field(pattern=ID_PATTERN)
    criterion: Criterion
    text: Text
    help: Text | None = None
    weight: float = Field(default=1, gt=0, le=100)
    dont_know: bool = False

    @property
    def has_knockout(self) -> bool:
        return False


class Option(_Model):
    id: str = Field(pattern=ID_PATTERN)
    label: Text
    points: Points
    knockout: bool = False


class ChoiceQuestion(_Question):
    type: Literal["choice"]
    options: list[Option] = Field(min_length=2, max_length=20)

    @field_validator("options")
    @classmethod
    def _unique_options(cls, options: list[Option]) -> list[Option]:
        _no_duplicates((o.id for o in options), "option id")
        return options

    @property
    def has_knockout(self) -> bool:
        return any(o.knockout for o in self.options)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


class ScaleQuestion(_Question):
    type: Literal["scale"]
    steps: int = Field(default=5, ge=2, le=11)
    reverse: bool = False
    low: Text
    high: Text

    def points(self, value: int) -> float:
        n = self.steps
        return 100 * ((n - value) if self.reverse else (value - 1)) / (n - 1)


class NumberQuestion(_Question):
    type: Literal["number"]
    unit: Text | None = None
    min: float = Field(default=0, ge=0)
    max: float = Field(gt=0)
    step: float = Field(default=1, gt=0)
    bands: list[tuple[float, Points]] = Field(min_length=1, max_length=50)
    knockout_below: float | None = None

    @field_validator("bands")
    @classmethod
    def _increasing(cls, bands: list[tuple[float, float]]) -> list[tuple[float, float]]:
        _strictly_increasing(bands)
        return bands

    @model_validator(mode="after")
    def _range(self) -> NumberQuestion:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max:g}) must be greater than min ({self.min:g})")
        if self.knockout_below is not None and not self.min < self.knockout_below <= self.max:
            raise ValueError("knockout_below must lie above min and not above max")
        return self

    @property
    def has_knockout(self) -> bool:
        return self.knockout_below is not None

    def points(self, value: float) -> float:
        return interpolate(self.bands, value)


class YesNoBranch(_Model):
    points: Points
    knockout: bool = False


class YesNoQuestion(_Question):
    type: Literal["yesno"]
    yes: YesNoBranch
    no: YesNoBranch

    @property
    def has_knockout(self) -> bool:
        return self.yes.knockout or self.no.knockout


class TextQuestion(_Model):
    """Free text: never scored, always optional."""

    type: Literal["text"]
    id: str = Field(pattern=ID_PATTERN)
    text: Text
    help: Text | None = None
    max_length: int = Field(default=TEXT_ANSWER_MAX, ge=1, le=TEXT_ANSWER_MAX)
    knockout: bool = False

    @field_validator("knockout")
    @classmethod
    def _no_knockout(cls, knockout: bool) -> bool:
        if knockout:
            raise ValueError("a text question is never scored, so it cannot be a knock-out")
        return knockout

    @property
    def has_knockout(self) -> bool:
        return False

    @property
    def dont_know(self) -> bool:
        return False


ScoredQuestion = ChoiceQuestion | ScaleQuestion | NumberQuestion | YesNoQuestion
Question = Annotated[
    ChoiceQuestion | ScaleQuestion | NumberQuestion | YesNoQuestion | TextQuestion,
    Field(discriminator="type"),
]
QUESTION_TYPES: Final = ("choice", "scale", "number", "yesno", "text")


class Section(_Model):
    id: str = Field(pattern=ID_PATTERN)
    axis: Axis
    title: Text
    intro: Text | None = None
    questions: list[Question] = Field(min_length=1, max_length=40)

    @model_validator(mode="after")
    def _axis_matches(self) -> Section:
        for q in self.questions:
            if isinstance(q, TextQuestion):
                continue
            if CRITERION_AXIS[q.criterion] is not self.axis:
                raise ValueError(
                    f"question {q.id!r} measures {q.criterion.value!r}, a criterion of axis "
                    f"{CRITERION_AXIS[q.criterion].value!r}, but this section is on axis "
                    f"{self.axis.value!r}; move it to a section of that axis"
                )
        return self


class CalculatorInput(_Model):
    """One input of the calculation model as the partner sees it."""

    default: float = Field(ge=0)
    min: float = Field(default=0, ge=0)
    max: float = Field(gt=0)
    step: float = Field(default=1, gt=0)
    unit: Text | None = None
    help: Text
    fixed: bool = False  # the vendor sets it; the partner sees it but cannot change it
    lever: bool = True  # may "what would move you" suggest changing it

    @model_validator(mode="after")
    def _range(self) -> CalculatorInput:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max:g}) must be greater than min ({self.min:g})")
        if not self.min <= self.default <= self.max:
            raise ValueError(f"default ({self.default:g}) must lie between min and max")
        return self


class Calculator(_Model):
    """The break-even calculator: the step where the partner enters his own figures."""

    model: Model
    title: Text
    intro: Text | None = None
    target_months: int = Field(default=12, ge=1, le=60)
    horizon_months: int = Field(default=36, ge=1, le=120)
    bands: list[tuple[float, Points]] | None = None
    inputs: dict[str, CalculatorInput]

    @field_validator("bands")
    @classmethod
    def _increasing(cls, bands: list[tuple[float, float]] | None) -> list[tuple[float, float]] | None:
        if bands is not None:
            if not bands:
                raise ValueError("bands must have at least one (month, points) pair")
            _strictly_increasing(bands)
        return bands

    @field_validator("inputs")
    @classmethod
    def _known_inputs(cls, inputs: dict[str, CalculatorInput]) -> dict[str, CalculatorInput]:
        for name in inputs:
            if name in ("horizon_months", "target_months"):
                raise ValueError(f"{name!r} is set on the calculator itself, not as an input")
            if name not in INPUT_NAMES:
                raise ValueError(f"unknown input {name!r}; the inputs are: {', '.join(INPUT_NAMES)}")
        missing = [n for n in REQUIRED_INPUTS if n not in inputs]
        if missing:
            raise ValueError(f"required inputs missing: {', '.join(missing)}")
        return inputs

    @model_validator(mode="after")
    def _fits_model(self) -> Calculator:
        other = Model.ONE_OFF if self.model is Model.RECURRING else Model.RECURRING
        wrong = [n for n in self.inputs if n in MODEL_INPUTS[other]]
        if wrong:
            raise ValueError(
                f"inputs {', '.join(wrong)} belong to the {other.value} model, "
                f"not to {self.model.value}"
            )
        for name, spec in self.inputs.items():
            if name in INTEGER_INPUTS and any(v != int(v) for v in (spec.default, spec.min, spec.step)):
                raise ValueError(f"{name} counts whole months: default, min and step must be whole numbers")
        # Validates that the defaults form a valid model input (fractions ≤ 1 and so on).
        self.default_inputs()
        return self

    def default_inputs(self) -> BreakEvenInputs:
        try:
            return BreakEvenInputs(
                model=self.model,
                target_months=self.target_months,
                horizon_months=self.horizon_months,
                **{name: spec.default for name, spec in self.inputs.items()},
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ValueError(f"default of {first['loc'][0]}: {first['msg']}") from None

    @property
    def asked(self) -> tuple[str, ...]:
        """The inputs the partner fills in, in file order."""
        return tuple(n for n, spec in self.inputs.items() if not spec.fixed)

    @property
    def effective_bands(self) -> list[tuple[float, float]]:
        """METHOD.md section 4: ≤ T gives 100, ≥ 2T gives 0, linear in between."""
        t = self.target_months
        return self.bands or [(t, 100.0), (2 * t, 0.0)]


class Contact(_Model):
    """The vendor's contact, offered to the partner who wants to reach out himself."""

    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=40)
    url: str | None = Field(default=None, pattern=r"^https://\S+$")
    note: Text | None = None


class Thresholds(_Model):
    kann: Points = 60
    will: Points = 60


class Survey(_Model):
    """A survey file: the vendor's expression of the fixed TRP criteria."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    version: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$")
    title: Text
    description: Text
    minutes: int = Field(default=10, ge=1, le=60)
    labels: Literal["partner", "internal"] = "partner"
    thresholds: Thresholds = Thresholds()
    min_coverage: float = Field(default=0.6, gt=0, le=1)
    borderline: float = Field(default=5, ge=0, le=50)
    weights: dict[Criterion, float]
    sections: list[Section] = Field(min_length=1, max_length=20)
    calculator: Calculator | None = None
    contact: Contact | None = None

    @field_validator("weights", mode="before")
    @classmethod
    def _known_criteria(cls, weights: Any) -> Any:
        if isinstance(weights, dict):
            known = {c.value for c in Criterion}
            unknown = [k for k in weights if k not in known]
            if unknown:
                raise ValueError(
                    f"unknown criterion {unknown[0]!r}; the criteria are fixed: {', '.join(sorted(known))}"
                )
            missing = [c for c in Criterion if c.value not in weights]
            if missing:
                raise ValueError(
                    "every criterion needs a weight (0 = not asked); missing: "
                    + ", ".join(c.value for c in missing)
                )
        return weights

    @field_validator("weights")
    @classmethod
    def _weight_range(cls, weights: dict[Criterion, float]) -> dict[Criterion, float]:
        for c, w in weights.items():
            if not 0 <= w <= 100:
                raise ValueError(f"weight of {c.value} must be between 0 and 100, got {w:g}")
        for axis in Axis:
            if not any(weights[c] > 0 for c in AXIS_CRITERIA[axis]):
                raise ValueError(f"axis {axis.value!r} needs at least one criterion with a weight above 0")
        return weights

    @model_validator(mode="after")
    def _consistent(self) -> Survey:
        _no_duplicates((s.id for s in self.sections), "section id")
        ids = [q.id for q in self.questions]
        _no_duplicates(ids, "question id")
        if self.calculator:
            clash = sorted(set(ids) & set(self.calculator.inputs))
            if clash:
                raise ValueError(f"question id {clash[0]!r} is also a calculator input name; rename the question")
        asked = {q.criterion for q in self.scored_questions}
        if self.calculator:
            asked.add(Criterion.BREAK_EVEN)
        for c, w in self.weights.items():
            if w > 0 and c not in asked:
                fix = "add a calculator block" if c is Criterion.BREAK_EVEN else "add a question for it"
                raise ValueError(f"criterion {c.value!r} has weight {w:g} but nothing measures it; {fix} or set its weight to 0")
            if w == 0 and c in asked:
                raise ValueError(f"criterion {c.value!r} has weight 0 but is asked; remove its questions or give it a weight")
        return self

    @cached_property
    def questions(self) -> tuple[ScoredQuestion | TextQuestion, ...]:
        return tuple(q for s in self.ordered_sections for q in s.questions)

    @cached_property
    def scored_questions(self) -> tuple[ScoredQuestion, ...]:
        return tuple(q for q in self.questions if not isinstance(q, TextQuestion))

    @cached_property
    def question_index(self) -> dict[str, ScoredQuestion | TextQuestion]:
        return {q.id: q for q in self.questions}

    @cached_property
    def ordered_sections(self) -> tuple[Section, ...]:
        """Ability (kann) sections first: the method's principle that ability beats motivation."""
        return tuple(sorted(self.sections, key=lambda s: s.axis is not Axis.KANN))

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the canonical content: comments and layout of the file do not change it."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def quadrant_label(self, quadrant: Quadrant, lang: str) -> str:
        from .method import INTERNAL_LABELS, PARTNER_LABELS

        table = INTERNAL_LABELS if self.labels == "internal" else PARTNER_LABELS
        return table[quadrant][lang]


def interpolate(bands: list[tuple[float, float]], x: float) -> float:
    """Piecewise-linear bands: first points below the first x, last above the last."""
    if x <= bands[0][0]:
        return bands[0][1]
    for (x0, p0), (x1, p1) in zip(bands, bands[1:]):
        if x <= x1:
            return p0 + (x - x0) / (x1 - x0) * (p1 - p0)
    return bands[-1][1]


def _strictly_increasing(bands: list[tuple[float, float]]) -> None:
    for (x0, _), (x1, _) in zip(bands, bands[1:]):
        if x1 <= x0:
            raise ValueError(f"band x values must be strictly increasing, but {x1:g} follows {x0:g}")


def _no_duplicates(values: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"duplicate {what} {v!r}")
        seen.add(v)


# --- loading -------------------------------------------------------------------------------


class SurveyIssue(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.file}:{self.path or '<top>'}: {self.message}{where}"


class SurveyError(Exception):
    """A survey file that cannot be used; `issues` lists every problem found."""

    def __init__(self, issues: list[SurveyIssue]):
        super().__init__("\n".join(str(i) for i in issues))
        self.issues = issues


class _YamlProblem(Exception):
    def __init__(self, message: str, line: int | None = None, path: str = ""):
        super().__init__(message)
        self.message, self.line, self.path = message, line, path


# YAML 1.2 core schema for plain scalars: "no", "on", "yes" stay strings (an option may be
# called "no"), and nothing but these few types can ever be constructed.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "value")
}


def _scalar(node: yaml.ScalarNode) -> Any:
    text = node.value
    if node.style:  # quoted or block scalar: always a string
        return text
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text.lower() == "true"
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


class _Loader(yaml.SafeLoader):
    """Composes nodes only; refuses aliases and deep nesting before anything is built."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _YamlProblem(
                "anchors and aliases (&name, *name) are not allowed; write the values out",
                event.start_mark.line + 1,
            )
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _YamlProblem(
                "anchors and aliases (&name, *name) are not allowed; write the values out",
                event.start_mark.line + 1,
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _YamlProblem(f"nested deeper than {MAX_DEPTH} levels", event.start_mark.line + 1)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _build(node: yaml.Node, path: str, lines: dict[str, int]) -> Any:
    """Turn a node tree into plain data, recording the line of every path."""
    lines.setdefault(path, node.start_mark.line + 1)
    if node.tag not in _STANDARD_TAGS:
        raise _YamlProblem(
            f"the tag {node.tag!r} is not allowed; survey files hold plain data only",
            node.start_mark.line + 1,
            path,
        )
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _YamlProblem("keys must be plain words", key_node.start_mark.line + 1, path)
            key = key_node.value  # the key as written: `no:` stays "no"
            if key in out:
                raise _YamlProblem(f"duplicate key {key!r}", key_node.start_mark.line + 1, path)
            child = f"{path}.{key}" if path else key
            out[key] = _build(value_node, child, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(v, f"{path}.{i}" if path else str(i), lines) for i, v in enumerate(node.value)]
    return _scalar(node)


def parse_yaml(text: str) -> tuple[Any, dict[str, int]]:
    """Safely parse one YAML document into plain data and a path-to-line map."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise _YamlProblem(f"YAML syntax error: {exc.problem or exc.context}", line) from None
    except yaml.YAMLError as exc:
        raise _YamlProblem(f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    if node is None:
        raise _YamlProblem("the file holds no survey")
    lines: dict[str, int] = {}
    return _build(node, "", lines), lines


def _line_for(path: str, lines: dict[str, int]) -> int | None:
    parts = path.split(".") if path else []
    while parts:
        key = ".".join(parts)
        if key in lines:
            return lines[key]
        parts.pop()
    return None


def _error_path(loc: tuple[Any, ...]) -> list[str]:
    out: list[str] = []
    for i, part in enumerate(loc):
        # A discriminated union puts the question type into the location: leave it out.
        if part in QUESTION_TYPES and i >= 2 and loc[i - 2] == "questions":
            continue
        # Tuples of bands are reported per element; the pair is what the author wrote.
        if isinstance(part, str) and part.startswith("function-"):
            continue
        out.append(str(part))
    return out


def _message(err: dict[str, Any]) -> tuple[list[str], str]:
    path = _error_path(err["loc"])
    kind = err["type"]
    if kind == "missing":
        return path[:-1], f"missing required key {path[-1]!r}"
    if kind == "extra_forbidden":
        return path[:-1], f"unknown key {path[-1]!r}; check its spelling against the documented keys"
    if kind == "union_tag_invalid":
        return path, f"unknown question type {err['ctx']['tag']!r}; use one of: {', '.join(QUESTION_TYPES)}"
    if kind == "union_tag_not_found":
        return path, f"missing required key 'type' (one of: {', '.join(QUESTION_TYPES)})"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind == "enum" and path and path[-1] == "criterion":
        msg = f"unknown criterion {err['input']!r}; the criteria are fixed: {', '.join(c.value for c in Criterion)}"
    elif kind not in ("value_error", "assertion_error") and "input" in err and not isinstance(err["input"], dict | list):
        msg = f"{msg} (got {err['input']!r})"
    return path, msg


def survey_from_data(data: Any, file: str, lines: dict[str, int] | None = None) -> Survey:
    """Validate parsed data as a survey; every problem is reported, nothing half-built is returned."""
    lines = lines or {}
    if not isinstance(data, dict):
        raise SurveyError([SurveyIssue(file=file, path="", message="a survey file must be a mapping of keys to values", line=1)])
    try:
        return Survey.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            parts, message = _message(err)
            path = ".".join(parts)
            issues.append(SurveyIssue(file=file, path=path, message=message, line=_line_for(path, lines)))
        raise SurveyError(issues) from None


def load_survey(path: str | Path) -> Survey:
    """Load and validate one survey file. Raises SurveyError with every problem found."""
    path = Path(path)
    file = str(path)

    def fail(message: str, line: int | None = None, where: str = "") -> SurveyError:
        return SurveyError([SurveyIssue(file=file, path=where, message=message, line=line)])

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise fail(f"the file is {size:,} bytes; survey files may be at most {MAX_FILE_BYTES:,} bytes")
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read the file: {exc.strerror or exc}") from None
    if b"\x00" in raw:
        raise fail("this is a binary file, not a YAML survey")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"the file is not valid UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise fail("the file is empty")
    try:
        data, lines = parse_yaml(text)
    except _YamlProblem as exc:
        raise fail(exc.message, exc.line, exc.path) from None
    except RecursionError:
        raise fail(f"nested deeper than {MAX_DEPTH} levels") from None
    return survey_from_data(data, file, lines)


def load_surveys(directory: str | Path) -> tuple[dict[str, Survey], list[SurveyIssue]]:
    """Every valid survey in a directory by id, and the problems of those that are not."""
    surveys: dict[str, Survey] = {}
    issues: list[SurveyIssue] = []
    for file in sorted(Path(directory).glob("*.y*ml")):
        try:
            survey = load_survey(file)
        except SurveyError as exc:
            issues.extend(exc.issues)
            continue
        if survey.id in surveys:
            issues.append(SurveyIssue(file=str(file), path="id", message=f"survey id {survey.id!r} is used by another file too"))
            continue
        surveys[survey.id] = survey
    return surveys, issues
