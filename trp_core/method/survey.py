"""Pydantic models of a survey file, and safe loading with messages of the form FILE:PATH: message."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Final, Literal

import yaml
import yaml.cyaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from trp_core.method.breakeven import (
    FRACTION_INPUTS,
    INPUT_NAMES,
    INTEGER_INPUTS,
    MODEL_INPUTS,
    REQUIRED_INPUTS,
    BreakEvenInputs,
    Model,
)
from trp_core.method.vocabulary import AXIS_CRITERIA, CRITERION_AXIS, Axis, Criterion

MAX_FILE_BYTES: Final = 1_000_000
MAX_DEPTH: Final = 20
TEXT_ANSWER_MAX: Final = 500
ID_PATTERN: Final = r"^[a-z][a-z0-9_]{0,63}$"

Points = Annotated[float, Field(ge=0, le=100)]
# Not refused as infinite by the model: _strictly_increasing names the band that is not finite.
BandX = Annotated[float, Field(allow_inf_nan=True)]


class _At(ValueError):
    """A validator's complaint about one part of what it checks: `where` extends the error's path.

    Still a ValueError, so pydantic reports it like any other; the loader shows the path.
    """

    def __init__(self, where: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.where = where


class _Model(BaseModel):
    # Numbers are finite: 1e999 in a file would be infinity, which JSON (and PostgreSQL) cannot store.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False)


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
        _no_duplicates(
            (((i, "id"), o.id) for i, o in enumerate(options)), "option id", "in this question", "options."
        )
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
    bands: list[tuple[BandX, Points]] = Field(min_length=1, max_length=50)
    knockout_below: float | None = None

    @field_validator("bands")
    @classmethod
    def _increasing(cls, bands: list[tuple[float, float]]) -> list[tuple[float, float]]:
        _strictly_increasing(bands)
        return bands

    @model_validator(mode="after")
    def _range(self) -> NumberQuestion:
        if self.max <= self.min:
            raise _At(("max",), f"max ({_num(self.max)}) must be greater than min ({_num(self.min)})")
        if self.knockout_below is not None and not self.min < self.knockout_below <= self.max:
            raise _At(
                ("knockout_below",),
                f"knockout_below ({_num(self.knockout_below)}) must lie above min ({_num(self.min)}) "
                f"and not above max ({_num(self.max)})",
            )
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
        for i, q in enumerate(self.questions):
            if isinstance(q, TextQuestion):
                continue
            if CRITERION_AXIS[q.criterion] is not self.axis:
                raise _At(
                    ("questions", i, "criterion"),
                    f"question {q.id!r} measures {q.criterion.value!r}, a criterion of axis "
                    f"{CRITERION_AXIS[q.criterion].value!r}, but this section is on axis "
                    f"{self.axis.value!r}; move it to a section of that axis",
                )
        return self


class CalculatorInput(_Model):
    """One input of the calculation model as the partner sees it."""

    default: float = Field(ge=0)
    min: float = Field(default=0, ge=0)
    max: float = Field(gt=0)
    step: float = Field(default=1, gt=0)
    label: Text | None = None  # defaults to the method's name of the input
    unit: Text | None = None
    help: Text
    fixed: bool = False  # the vendor sets it; the partner sees it but cannot change it
    lever: bool = True  # may "what would move you" suggest changing it

    @model_validator(mode="after")
    def _range(self) -> CalculatorInput:
        if self.max <= self.min:
            raise _At(("max",), f"max ({_num(self.max)}) must be greater than min ({_num(self.min)})")
        if not self.min <= self.default <= self.max:
            raise _At(
                ("default",),
                f"default ({_num(self.default)}) must lie between min ({_num(self.min)}) "
                f"and max ({_num(self.max)})",
            )
        return self


class Calculator(_Model):
    """The break-even calculator: the step where the partner enters his own figures."""

    model: Model
    title: Text
    intro: Text | None = None
    target_months: int = Field(default=12, ge=1, le=60)
    horizon_months: int = Field(default=36, ge=1, le=120)
    bands: list[tuple[BandX, Points]] | None = None
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
        settings = ("horizon_months", "target_months")
        for name in inputs:
            if name in settings:
                raise _At((name,), f"{name!r} is set on the calculator itself, not as an input")
            if name not in INPUT_NAMES:
                names = ", ".join(n for n in INPUT_NAMES if n not in settings)
                raise _At((name,), f"unknown input {name!r}; the inputs are: {names}")
        missing = [n for n in REQUIRED_INPUTS if n not in inputs]
        if missing:
            raise ValueError(f"required inputs missing: {', '.join(missing)}")
        return inputs

    @model_validator(mode="after")
    def _fits_model(self) -> Calculator:
        other = Model.ONE_OFF if self.model is Model.RECURRING else Model.RECURRING
        wrong = [n for n in self.inputs if n in MODEL_INPUTS[other]]
        if wrong:
            raise _At(
                ("inputs", wrong[0]),
                f"{' and '.join(wrong)} {'belongs' if len(wrong) == 1 else 'belong'} to the "
                f"{other.value} model, not to {self.model.value}; "
                f"remove {'it' if len(wrong) == 1 else 'them'} or change the model",
            )
        for name, spec in self.inputs.items():
            if name in INTEGER_INPUTS:
                for key in ("default", "min", "step"):
                    if getattr(spec, key) != int(getattr(spec, key)):
                        raise _At(
                            ("inputs", name, key),
                            f"{name} counts whole months: default, min and step must be whole numbers "
                            f"(got {key} {_num(getattr(spec, key))})",
                        )
            if name in FRACTION_INPUTS and spec.max > 1:
                raise _At(
                    ("inputs", name, "max"),
                    f"{name} is a fraction: max must be at most 1 (1 = 100 %), got {_num(spec.max)}",
                )
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
            name = first["loc"][0]
            where = ("inputs", name, "default") if name in self.inputs else (name,)
            raise _At(where, f"default of {name} {_friendly(first)}") from None

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
    # Which names of the quadrants partners see: the partner names or the method's own (the catalog holds both).
    labels: Literal["partner", "internal"] = "partner"
    thresholds: Thresholds = Thresholds()
    # At least 1 %: an axis with nothing answered is never "determined" (METHOD.md: κ ≥ κ_min).
    min_coverage: float = Field(default=0.6, ge=0.01, le=1)
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
                raise _At(
                    (unknown[0],),
                    f"unknown criterion {unknown[0]!r}; the criteria are fixed: {', '.join(Criterion)}",
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
                raise _At((c.value,), f"weight of {c.value} must be between 0 and 100 (got {_num(w)})")
        for axis in Axis:
            if not any(weights[c] > 0 for c in AXIS_CRITERIA[axis]):
                raise ValueError(f"axis {axis.value!r} needs at least one criterion with a weight above 0")
        return weights

    @model_validator(mode="after")
    def _consistent(self) -> Survey:
        _no_duplicates(
            ((("sections", i, "id"), s.id) for i, s in enumerate(self.sections)),
            "section id",
            "in the survey",
        )
        # Positions as written in the file (self.questions puts kann sections first).
        written = [
            (("sections", si, "questions", qi, "id"), q.id)
            for si, s in enumerate(self.sections)
            for qi, q in enumerate(s.questions)
        ]
        _no_duplicates(written, "question id", "in the survey, across all sections")
        if self.calculator:
            for where, qid in written:
                if qid in self.calculator.inputs:
                    raise _At(
                        where, f"question id {qid!r} is also a calculator input name; rename the question"
                    )
        asked = {q.criterion for q in self.scored_questions}
        if self.calculator:
            asked.add(Criterion.BREAK_EVEN)
        for c, w in self.weights.items():
            if w > 0 and c not in asked:
                fix = "add a calculator block" if c is Criterion.BREAK_EVEN else "add a question for it"
                raise _At(
                    ("weights", c.value),
                    f"criterion {c.value!r} has weight {_num(w)} but nothing measures it; "
                    f"{fix} or set its weight to 0",
                )
            if w == 0 and c in asked:
                what = "the calculator block" if c is Criterion.BREAK_EVEN else "its questions"
                raise _At(
                    ("weights", c.value),
                    f"criterion {c.value!r} has weight 0 but is asked; remove {what} or give it a weight",
                )
        return self

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Survey:
        """A copy without the cached views (questions, plan, hash) of the original."""
        copy = super().model_copy(update=update, deep=deep)
        for name in _CACHED:
            copy.__dict__.pop(name, None)
        return copy

    def revised(self, **changes: Any) -> Survey:
        """A validated copy with some top-level keys replaced, e.g. weights or thresholds."""
        return Survey.model_validate({**self.model_dump(), **changes})

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


_CACHED: Final = tuple(n for n, v in vars(Survey).items() if isinstance(v, cached_property))


def interpolate(bands: list[tuple[float, float]], x: float) -> float:
    """Piecewise-linear bands: first points below the first x, last above the last."""
    if x <= bands[0][0]:
        return bands[0][1]
    for (x0, p0), (x1, p1) in itertools.pairwise(bands):
        if x <= x1:
            return p0 + (x - x0) / (x1 - x0) * (p1 - p0)
    return bands[-1][1]


def _strictly_increasing(bands: list[tuple[float, float]]) -> None:
    for i, (x, _) in enumerate(bands):
        if not math.isfinite(x):  # nan compares false with everything: it would pass the check below
            raise _At((i, 0), f"band x values must be finite numbers (got {x})")
    for i, ((x0, _), (x1, _)) in enumerate(itertools.pairwise(bands)):
        if x1 <= x0:
            raise _At(
                (i + 1,), f"band x values must be strictly increasing, but {_num(x1)} follows {_num(x0)}"
            )


def _no_duplicates(
    values: Iterable[tuple[tuple[str | int, ...], str]], what: str, scope: str, shown_under: str = ""
) -> None:
    """`values` are (where, value) pairs; the second use of a value is the one reported."""
    seen: dict[str, tuple[str | int, ...]] = {}
    for where, v in values:
        if v in seen:
            first = shown_under + ".".join(str(p) for p in seen[v])
            raise _At(where, f"duplicate {what} {v!r} (first used at {first}); ids must be unique {scope}")
        seen[v] = where


# --- loading -------------------------------------------------------------------------------


class SurveyIssue(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        # A key may hold a line break or another control character: shown escaped, one line per issue.
        path = "".join(c if c.isprintable() else repr(c)[1:-1] for c in self.path) or "<top>"
        return f"{self.file}:{path}: {self.message}{where}"


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
_YAML_TAG_PREFIX: Final = "tag:yaml.org,2002:"
_STR_TAG: Final = _YAML_TAG_PREFIX + "str"
# Explicit tags that change nothing but the type of a plain value; "!" is YAML's "no tag".
_ALLOWED_TAGS: Final = {"!"} | {
    _YAML_TAG_PREFIX + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "value")
}
# Python refuses to convert integers of more than 4300 digits; no survey needs more than a few.
_MAX_NUMBER_CHARS: Final = 100
# The first characters of a plain scalar that may be a null, a bool or a number.
_MAYBE_TYPED: Final = frozenset("0123456789+-.~nNtTfF") | {""}
# A file with thousands of problems is listed with the first ones only.
MAX_ISSUES: Final = 100
_ALIAS_MESSAGE: Final = "anchors and aliases (&name, *name) are not allowed; write the values out"


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


class _PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own event parser, used where libyaml is not installed."""

    def __init__(self, stream: str):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


# libyaml parses about ten times faster: what keeps a near-1 MB file under a second.
_FAST_PARSER = getattr(yaml, "__with_libyaml__", False)


class _Builder:
    """Builds plain data straight from parser events, never constructing any object from a tag.

    Nothing is composed or resolved first, so an anchor, an alias, a foreign tag or a value
    nested too deep is refused the moment the parser reaches it, named by its path. The loops
    take plain scalars on a fast path: a file of half a million tiny values stays under a second.
    """

    def __init__(self, parser: Any):
        self.parser = parser
        self.lines: dict[str, int] = {}

    def document(self) -> Any:
        p = self.parser
        p.get_event()  # stream start
        if p.check_event(yaml.StreamEndEvent):
            raise _YamlProblem("the file holds no survey, only comments or an empty document")
        p.get_event()  # document start
        data = self.value(p.get_event(), "", 1)
        p.get_event()  # document end
        if not p.check_event(yaml.StreamEndEvent):
            raise _YamlProblem(
                "a survey file holds one YAML document; remove the second '---' and what follows it",
                _line(p.peek_event().start_mark),
            )
        return data

    @staticmethod
    def _check(event: Any, path: str, depth: int) -> None:
        if event.__class__ is yaml.AliasEvent or event.anchor is not None:
            raise _YamlProblem(_ALIAS_MESSAGE, _line(event.start_mark), path)
        if event.tag is not None and event.tag not in _ALLOWED_TAGS:
            raise _YamlProblem(
                f"the tag {_show_tag(event.tag)} is not allowed; survey files hold plain data only",
                _line(event.start_mark),
                path,
            )
        if depth > MAX_DEPTH:
            raise _YamlProblem(
                f"nested deeper than {MAX_DEPTH} levels; a survey never needs that",
                _line(event.start_mark),
                path,
            )

    def value(self, event: Any, path: str, depth: int) -> Any:
        self._check(event, path, depth)
        self.lines.setdefault(path, event.start_mark.line + 1)
        cls = event.__class__
        if cls is yaml.ScalarEvent:
            return _scalar(event, path)
        if cls is yaml.SequenceStartEvent:
            return self._sequence(path, depth)
        return self._mapping(path, depth)

    def _sequence(self, path: str, depth: int) -> list[Any]:
        items: list[Any] = []
        get = self.parser.get_event
        shallow = depth < MAX_DEPTH
        while True:
            event = get()
            cls = event.__class__
            if cls is yaml.SequenceEndEvent:
                return items
            if cls is yaml.ScalarEvent and shallow and event.anchor is None and event.tag is None:
                # No line is kept for a scalar item: a problem with it shows its list's line.
                items.append(_plain(event, path, len(items)))
            else:
                items.append(
                    self.value(event, f"{path}.{len(items)}" if path else str(len(items)), depth + 1)
                )

    def _mapping(self, path: str, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        get = self.parser.get_event
        lines = self.lines
        while True:
            key_event = get()
            if key_event.__class__ is yaml.MappingEndEvent:
                return out
            self._check(key_event, path, depth + 1)
            if key_event.__class__ is not yaml.ScalarEvent:
                raise _YamlProblem("keys must be plain words", _line(key_event.start_mark), path)
            key = key_event.value  # the key as written: `no:` stays "no"
            child = f"{path}.{key}" if path else key
            if key == "<<" and not key_event.style:
                raise _YamlProblem(
                    "merge keys (<<) are not allowed; write the values out",
                    _line(key_event.start_mark),
                    child,
                )
            if key in out:
                raise _YamlProblem(
                    f"duplicate key {key!r}: it already appears on line {lines[child]}",
                    _line(key_event.start_mark),
                    child,
                )
            lines[child] = key_event.start_mark.line + 1  # a problem with a value is shown on its key
            out[key] = self.value(get(), child, depth + 1)


def _plain(event: Any, path: str, index: int) -> Any:
    """A scalar item of a list; its path is only worked out when there is a problem."""
    text = event.value
    if event.style:
        return text
    if text.isascii() and text.isdigit():
        if len(text) <= _MAX_NUMBER_CHARS:
            return int(text)
    elif text[:1] not in _MAYBE_TYPED:
        return text
    return _scalar(event, f"{path}.{index}" if path else str(index))


def _scalar(event: Any, path: str) -> Any:
    text = event.value
    if event.style or event.tag == _STR_TAG:  # quoted, block or !!str: always a string
        return text
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text.lower() == "true"
    if _INT.match(text) or _FLOAT.match(text):
        if len(text) > _MAX_NUMBER_CHARS:
            raise _YamlProblem(
                f"a number of {len(text):,} characters is too long for a survey file",
                _line(event.start_mark),
                path,
            )
        return int(text) if _INT.match(text) else float(text)
    return text


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML_TAG_PREFIX) :] if tag.startswith(_YAML_TAG_PREFIX) else tag


def _syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark
    if mark is not None:
        lines = text.split("\n", mark.line + 1)
        at = lines[mark.line][mark.column : mark.column + 1] if mark.line < len(lines) else ""
        if at == "\t" or "tab" in problem:
            return "YAML syntax error: a tab character; YAML indents with spaces only"
    if "nesting depth" in problem:  # libyaml's own limit, met while looking ahead in [[[[...
        return f"nested deeper than {MAX_DEPTH} levels; a survey never needs that"
    if problem.startswith("mapping values are not allowed"):
        return "YAML syntax error: unexpected ':'; a text that contains ': ' must be put in quotes"
    message = f"YAML syntax error: {problem or context}"
    if problem and context and exc.context_mark and mark and exc.context_mark.line != mark.line:
        message += f" ({context} that starts on line {exc.context_mark.line + 1})"
    return message


def parse_yaml(text: str) -> tuple[Any, dict[str, int]]:
    """Safely parse one YAML document into plain data and a path-to-line map."""
    parser: Any = None
    try:
        # PyYAML's reader checks for control characters here already.
        parser = yaml.cyaml.CParser(text) if _FAST_PARSER else _PyParser(text)
        builder = _Builder(parser)
        data = builder.document()
    except yaml.MarkedYAMLError as exc:
        raise _YamlProblem(_syntax_message(exc, text), _line(exc.problem_mark or exc.context_mark)) from None
    except yaml.reader.ReaderError as exc:
        # An offset in characters (PyYAML) or in UTF-8 bytes (libyaml).
        before = (
            text[: exc.position]
            if not _FAST_PARSER
            else text.encode()[: exc.position].decode(errors="replace")
        )
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        raise _YamlProblem(
            f"the control character U+{code:04X} is not allowed in a YAML file", before.count("\n") + 1
        ) from None
    except yaml.YAMLError as exc:
        raise _YamlProblem(f"YAML error: {' '.join(str(exc).split())}") from None
    finally:
        if parser is not None and hasattr(parser, "dispose"):
            parser.dispose()
    return data, builder.lines


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
        # Validators and dict keys add their own steps; the author never wrote them.
        if isinstance(part, str) and (part.startswith("function-") or part == "[key]"):
            continue
        out.append(str(part))
    return out


def _got(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _num(value: Any) -> str:
    return f"{value:.15g}" if isinstance(value, int | float) else str(value)


# What the schema's patterns mean, in words.
_PATTERN_HINTS: Final = {
    ID_PATTERN: "must be an id: a lower-case letter, then up to 63 lower-case letters, digits or _",
    r"^[a-z0-9][a-z0-9-]{1,63}$": "must be 2 to 64 lower-case letters, digits or -, not starting with -",
    r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$": 'must be a version like "1" or "2.1": letters, digits, . + -',
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "must be an e-mail address like name@example.com",
    r"^https://\S+$": "must be an https:// address without spaces",
}


def _friendly(err: Any) -> str:
    """A pydantic error (a dict from `errors()`) in the words of a survey author."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    got = f" (got {_got(value)})"
    if isinstance(value, dict):
        got = " (got a mapping)"
    elif isinstance(value, list | tuple):
        got = " (got a list)"
    match kind:
        case "value_error" | "assertion_error":
            msg: str = err["msg"]
            return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        case "float_parsing" | "float_type":
            return f"must be a number{got}"
        case "int_parsing" | "int_type" | "int_from_float":
            return f"must be a whole number{got}"
        case "finite_number":
            return "must be a finite number"
        case "bool_parsing" | "bool_type":
            return f"must be true or false{got}"
        case "string_type" if isinstance(value, int | float | bool):
            return f"must be text{got}; put it in quotes"
        case "string_type":
            return f"must be text{got}"
        case "string_too_short":
            n = ctx.get("min_length", 1)
            return "must not be empty" if n == 1 else f"must have at least {n} characters"
        case "string_too_long":
            return f"must have at most {ctx.get('max_length')} characters (got {len(value)})"
        case "string_pattern_mismatch":
            return _PATTERN_HINTS.get(ctx.get("pattern"), f"must match {ctx.get('pattern')}") + got
        case "greater_than_equal":
            return f"must be at least {_num(ctx.get('ge'))}{got}"
        case "greater_than":
            return f"must be greater than {_num(ctx.get('gt'))}{got}"
        case "less_than_equal":
            return f"must be at most {_num(ctx.get('le'))}{got}"
        case "less_than":
            return f"must be less than {_num(ctx.get('lt'))}{got}"
        case "too_short" | "too_long" if ctx.get("field_type") == "Tuple":
            return f"must be a pair [x, points] (got {ctx.get('actual_length')} values)"
        case "too_short":
            n = ctx.get("min_length")
            return (
                f"must have at least {n} {'entry' if n == 1 else 'entries'} (got {ctx.get('actual_length')})"
            )
        case "too_long":
            return f"must have at most {ctx.get('max_length')} entries (got {ctx.get('actual_length')})"
        case "tuple_type":
            return f"must be a pair [x, points]{got}"
        case "list_type":
            return f"must be a list, one '- ' item per entry{got}"
        case "model_type" if ctx.get("class_name") == "Text":
            return f"must be a text in both languages, {{de: ..., en: ...}}{got}"
        case "dict_type" | "model_type" | "model_attributes_type":
            return f"must be a mapping of keys to values{got}"
        case "enum" | "literal_error":
            return f"must be {ctx.get('expected')}{got}"
        case _:
            return f"{err['msg']}{got}"


def _message(err: Any) -> tuple[list[str], str, list[str]]:
    """The path to show, the message, and the path whose line to show."""
    path = _error_path(err["loc"])
    error = (err.get("ctx") or {}).get("error")
    if isinstance(error, _At):
        path += [str(p) for p in error.where]
    kind = err["type"]
    if kind == "missing":
        return path[:-1], f"missing required key {path[-1]!r}", path[:-1]
    if kind == "extra_forbidden":
        return path[:-1], f"unknown key {path[-1]!r}; check its spelling against the documented keys", path
    if kind == "union_tag_invalid":
        message = f"unknown question type {err['ctx']['tag']!r}; use one of: {', '.join(QUESTION_TYPES)}"
        return [*path, "type"], message, [*path, "type"]
    if kind == "union_tag_not_found":
        return path, f"missing required key 'type' (one of: {', '.join(QUESTION_TYPES)})", path
    if kind == "enum" and path and path[-1] == "criterion":
        message = f"unknown criterion {_got(err['input'])}; the criteria are fixed: {', '.join(Criterion)}"
        return path, message, path
    return path, _friendly(err), path


def survey_from_data(data: Any, file: str, lines: dict[str, int] | None = None) -> Survey:
    """Validate parsed data as a survey; every problem is reported, nothing half-built is returned."""
    lines = lines or {}
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else f"a single value ({_got(data)})"
        message = f"a survey file must be a mapping of keys to values (id: ..., title: ...), not {found}"
        raise SurveyError([SurveyIssue(file=file, path="", message=message, line=1)])
    try:
        return Survey.model_validate(data)
    except ValidationError as exc:
        raise SurveyError(validation_issues(exc, file, lines)) from None


def validation_issues(
    exc: ValidationError, file: str, lines: dict[str, int] | None = None
) -> list[SurveyIssue]:
    """A pydantic error of any model read from a YAML file, as issues in the survey files' form.

    `lines` is the path-to-line map of `parse_yaml`; at most MAX_ISSUES are listed.
    """
    lines = lines or {}
    errors = exc.errors(include_url=False)
    issues = []
    for err in errors[:MAX_ISSUES]:
        parts, message, line_parts = _message(err)
        line = _line_for(".".join(line_parts), lines)
        issues.append(SurveyIssue(file=file, path=".".join(parts), message=message, line=line))
    if len(errors) > MAX_ISSUES:
        more = f"{len(errors) - MAX_ISSUES:,} more problems not listed; fix the ones above first"
        issues.append(SurveyIssue(file=file, path="", message=more))
    return issues


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
    if len(raw) > MAX_FILE_BYTES:  # grew since stat
        raise fail(f"the file is over {MAX_FILE_BYTES:,} bytes, the most a survey file may have")
    if b"\x00" in raw:
        raise fail("this is a binary file, not a YAML survey")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise fail(f"the file is not valid UTF-8 text (byte {exc.start}); save it as UTF-8", line) from None
    if not text.strip():
        raise fail("the file is empty")
    try:
        data, lines = parse_yaml(text)
    except _YamlProblem as exc:
        raise fail(exc.message, exc.line, exc.path) from None
    except RecursionError:
        raise fail(f"nested deeper than {MAX_DEPTH} levels; a survey never needs that") from None
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
            issues.append(
                SurveyIssue(
                    file=str(file), path="id", message=f"survey id {survey.id!r} is used by another file too"
                )
            )
            continue
        surveys[survey.id] = survey
    return surveys, issues
