"""Where recruitment money seeps away: per event and campaign, how many sessions started and completed,
and which quadrants its respondents fall in (which campaigns bring heroes, which bring vampires).

Each figure goes through the minimum-group rule (trp_core.privacy.suppression): a tag is listed only
when it holds no response or at least k, and within a tag every count of 1 to k − 1 is hidden together
with the next smallest, so that none follows from the tag's total. No figure across tags is
published, so no sum of two rows can be subtracted from another. Kept apart from the dashboard on
purpose: one small function to move onto a stricter model of what may be published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from trp_core.method.vocabulary import Quadrant
from trp_core.privacy.suppression import Published, min_group
from trp_core.services.storage import store_errors
from trp_core.store.tags import TagRow, Tags, quadrants_by_tag, steps_by_tag

if TYPE_CHECKING:
    from sqlalchemy import Engine

STEPS: Final = ("started", "completed")


@dataclass(frozen=True)
class CampaignRow:
    """One tag's figures as they may be shown: None where the rule hides a figure."""

    tag: TagRow
    started: int | None
    completed: int | None
    responses: int | None
    quadrants: dict[Quadrant, int | None] = field(default_factory=dict)

    @property
    def completion(self) -> float | None:
        """Completed sessions per started one."""
        if self.started and self.completed is not None:
            return self.completed / self.started
        return None

    def share(self, quadrant: Quadrant) -> float | None:
        n = self.quadrants.get(quadrant)
        return None if n is None or not self.responses else n / self.responses


@dataclass(frozen=True)
class CampaignMix:
    rows: list[CampaignRow]
    small: int  # tags with 1 to k − 1 responses: not listed
    k: int


@store_errors()
def campaign_mix(engine: Engine, k: int | None = None) -> CampaignMix:
    """Every tag with no or at least k responses: its funnel and quadrant mix, under the minimum-group rule."""
    k = min_group(k)
    tags = Tags(engine).all()
    slugs = [t.slug for t in tags]
    counts = quadrants_by_tag(engine, slugs)
    steps = steps_by_tag(engine, slugs, STEPS)
    rows, small = [], 0
    for tag in tags:
        per_quadrant = {q: counts.get((tag.slug, q.value), 0) for q in Quadrant}
        total = sum(per_quadrant.values())
        if 0 < total < k:
            small += 1
            continue
        figures = Published()
        figures.add("responses", total)
        for q, n in per_quadrant.items():
            figures.add(q, n)
        figures.sum("responses", list(Quadrant))
        for step in STEPS:
            figures.add(step, steps.get((tag.slug, step), 0))
        shown = figures.protect(k)
        rows.append(
            CampaignRow(
                tag,
                started=shown["started"],
                completed=shown["completed"],
                responses=shown["responses"],
                quadrants={q: shown[q] for q in Quadrant},
            )
        )
    rows.sort(key=lambda r: (r.tag.kind, -(r.responses or 0), r.tag.slug))
    return CampaignMix(rows, small, k)
