"""A partner's result: what submitting an answer set gives, and what its code opens again later."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trp_core.method.scoring import Assessment
from trp_core.method.survey import Survey


# eq=False: compared by identity; a page keeps what it built from a result for as long as it is the same one.
@dataclass(frozen=True, eq=False)
class Result:
    code: str  # the result code, grouped for reading; the store keeps only its hash
    survey: Survey  # the survey content the answers were given to
    answers: dict[str, Any]
    assessment: Assessment
    lang: str  # the language the answers were given in


class StoreUnavailable(Exception):
    """The store could not be used; the reason is in the server log."""
