"""Pydantic models of a survey file, and validation of its parsed data with messages FILE:PATH: message.

Reading the YAML and the files themselves is trp_core.files.surveys' part.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Annotated, Any, Final, Literal

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
    # A number question that asks for the same quantity in the same unit: its answer fills the
    # input until the partner types his own figure (METHOD.md's calculator inputs, resolved in scoring).
    from_question: str | None = Field(default=None, pattern=ID_PATTERN)

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
        if self.calculator:
            self._links()
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

    def _links(self) -> None:
        """Each calculator input's `from_question` names a number question whose every answer is a
        value the input takes: the same quantity in the same unit."""
        questions = {q.id: q for s in self.sections for q in s.questions}
        for name, spec in self.calculator.inputs.items():
            qid = spec.from_question
            if qid is None:
                continue
            where = ("calculator", "inputs", name, "from_question")
            q = questions.get(qid)
            if q is None:
                raise _At(where, f"no question {qid!r} in this survey; from_question names a number question")
            if not isinstance(q, NumberQuestion):
                raise _At(
                    where,
                    f"question {qid!r} is a {q.type} question; only a number question's answer "
                    f"can fill a calculator input",
                )
            if spec.fixed:
                raise _At(where, f"{name} is set by the vendor (fixed: true), so no answer can fill it")
            if name in FRACTION_INPUTS:
                raise _At(
                    where,
                    f"{name} is a fraction that the partner sees as a percentage; a number question "
                    f"shows its answer as typed, so the two never share a unit",
                )
            if not (spec.min <= q.min and q.max <= spec.max):
                raise _At(
                    where,
                    f"question {qid!r} takes {_num(q.min)} to {_num(q.max)}, but {name} takes "
                    f"{_num(spec.min)} to {_num(spec.max)}; every answer must be a value of the input "
                    f"(the same quantity in the same unit)",
                )
            if name in INTEGER_INPUTS and not all(float(v).is_integer() for v in (q.min, q.max, q.step)):
                raise _At(
                    where,
                    f"{name} counts whole months, but question {qid!r} takes steps of {_num(q.step)} "
                    f"from {_num(q.min)}",
                )

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
    x0, p0 = bands[0]
    if x <= x0:
        return p0
    for x1, p1 in bands[1:]:  # a plain loop: scoring calls this for every number answer
        if x <= x1:
            return p0 + (x - x0) / (x1 - x0) * (p1 - p0)
        x0, p0 = x1, p1
    return p0


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


# --- problems, in the words of a survey author ------------------------------------------------


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


# A file with thousands of problems is listed with the first ones only.
MAX_ISSUES: Final = 100


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

    `lines` maps a dotted path to its line in the file (as the YAML reader gives it); at most
    MAX_ISSUES are listed.
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
