"""Survey files: read one (size, encoding and YAML checked) or every survey of a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from trp_core.files.yaml_reader import MAX_DEPTH, YamlProblem, parse_yaml
from trp_core.method.survey import Survey, SurveyError, SurveyIssue, survey_from_data

MAX_FILE_BYTES: Final = 1_000_000


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
    except YamlProblem as exc:
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
