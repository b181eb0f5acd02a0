"""Where recruitment money seeps away: per event and campaign, how many sessions started and completed,
and which quadrants its respondents fall in (which campaigns bring heroes, which bring vampires).

Under the one protection model (PRIVACY.md): a row is a tag GROUP as the survey's published views
offer it on the dashboard (trp_core.privacy.cells.Lattice: a tag of at least k responses on its own,
smaller ones only inside "other events", a group still below k merged into a neighbour), and its
figures are the dashboard's for that group over all time (`published_dashboard`, the same function
as the page and `trp report dashboard --tag`), with the same suppression. So the table publishes no
number that the dashboard and `trp report` do not publish already, and differencing the two finds
nothing that differencing the dashboard alone would not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trp_core.method.vocabulary import Quadrant
from trp_core.privacy.cells import NO_TAG, Outcome, TagGroup, View
from trp_core.privacy.suppression import min_group
from trp_core.services import selection as sel
from trp_core.services.dashboard import published_dashboard
from trp_core.services.storage import store_errors
from trp_core.store.tags import TagRow, Tags

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from trp_core.method.survey import Survey


@dataclass(frozen=True)
class CampaignRow:
    """One tag group's figures as the dashboard shows them for that group: None where it hides one."""

    survey_id: str
    group: TagGroup
    tags: list[TagRow]  # the group's tags (its untagged part is in `group.members` as "")
    started: int | None
    completed: int | None
    responses: int | None
    quadrants: dict[Quadrant, int | None] = field(default_factory=dict)

    @property
    def kind(self) -> str | None:
        """ "event" or "campaign" when every tag of the group is one; else None."""
        kinds = {t.kind for t in self.tags}
        return kinds.pop() if len(kinds) == 1 and NO_TAG not in self.group.members else None

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
    small: int  # tags of 1 to k − 1 responses: only inside a merged group
    unanswered: list[TagRow]  # tags without a published response yet (none, or fewer than k so far)
    k: int
    noise: int = 0  # the quadrant counts are the dashboard's: shifted by at most this (cell-key method)


@store_errors()
def campaign_mix(engine: Engine, surveys: Mapping[str, Survey], k: int | None = None) -> CampaignMix:
    """Per survey, every tag group that holds a tag: the dashboard's total, quadrant
    counts, started and completed for that group over all time, exactly as published there (a group
    whose view the dashboard shows only coarsened gets no figures). Raises StoreUnavailable."""
    k = min_group(k)
    tags = Tags(engine).all()
    by_slug = {t.slug: t for t in tags}
    rows: list[CampaignRow] = []
    noise = 0
    small, answered = 0, set()
    for survey_id, survey in sorted(surveys.items()):  # a tag's responses may be of any survey
        lat = sel.lattice(engine, survey_id, k=k)
        for group in lat.groups:
            members = sorted(m for m in group.members if m != NO_TAG)
            if not members:
                continue  # the untagged responses alone: not a campaign
            answered.update(members)
            if group.merged:
                small += sum(1 for m in members if m not in group.parts)
            pub = published_dashboard(engine, survey, View(tag=group.id), k=k)
            dash = pub.dashboard if pub.selected.decision.outcome is Outcome.SHOWN else None
            noise = max(noise, 0 if dash is None else dash.noise)
            rows.append(
                CampaignRow(
                    survey_id,
                    group,
                    [by_slug[m] for m in members if m in by_slug],
                    started=None if dash is None else dash.started,
                    completed=None if dash is None else dash.completed,
                    responses=None if dash is None else dash.total,
                    quadrants={q: None if dash is None else dash.quadrants[q] for q in Quadrant},
                )
            )
    rows.sort(key=lambda r: (r.survey_id, r.group.merged, -(r.responses or 0), r.group.id))
    unanswered = [t for t in tags if t.slug not in answered]
    return CampaignMix(rows, small, unanswered, k, noise)
