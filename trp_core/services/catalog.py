"""What the app offers: the surveys and the recruitment events, read from their files.

A file with problems is left out and its problems go to the server log; the app runs on without it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from trp_core.files.events import load_events
from trp_core.files.surveys import load_surveys
from trp_core.method.survey import SurveyError

if TYPE_CHECKING:
    from trp_core.files.events import Event
    from trp_core.method.survey import Survey

log = logging.getLogger("trp")


def surveys(directory: str | Path) -> dict[str, Survey]:
    """Every valid survey in the directory, by id."""
    found, issues = load_surveys(directory)
    for issue in issues:
        log.error("survey file not published: %s", issue)
    return found


def offered(surveys: Mapping[str, Survey], wanted: Collection[str]) -> dict[str, Survey]:
    """The surveys offered to partners, in the same order: those wanted (TRP_PUBLISHED), or all if none is named."""
    return {k: v for k, v in surveys.items() if not wanted or k in wanted}


def events(path: str | Path) -> dict[str, Event]:
    """The recruitment events by slug; none when the file cannot be used."""
    try:
        return load_events(path)
    except SurveyError as exc:
        log.error("event file not usable: %s", exc)
        return {}
