"""The cuts of the releases (trp_core.privacy.releases; PRIVACY.md, "Time"): read every cut a survey's
streams have had, and add the cuts of a new release. A cut is never changed or removed: the history
decides which batch published each response, and so what every period holds."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final, Literal

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from trp_core.store.engine import writer
from trp_core.store.models import ReleaseCut

Kind = Literal["responses", "sessions"]
Stream = tuple[str, str, str]  # survey version, language, tag ("" for none)
NO_VERSION: Final = ""  # the sessions' streams know the tag only
NO_LANG: Final = ""


def history(bind: Engine | Connection, survey_id: str, kind: Kind) -> dict[Stream, tuple[date, ...]]:
    """Every cut of every stream of a survey, oldest first."""
    stmt = (
        select(ReleaseCut.survey_version, ReleaseCut.lang, ReleaseCut.tag, ReleaseCut.cut)
        .where(ReleaseCut.survey_id == survey_id, ReleaseCut.kind == kind)
        .order_by(ReleaseCut.cut)
    )
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            rows = conn.execute(stmt).all()
    else:
        rows = bind.execute(stmt).all()
    out: dict[Stream, list[date]] = {}
    for version, lang, tag, cut in rows:
        out.setdefault((version, lang, tag), []).append(cut)
    return {stream: tuple(cuts) for stream, cuts in out.items()}


def record(bind: Engine | Connection, survey_id: str, kind: Kind, cuts: Mapping[Stream, date]) -> None:
    """Add the cuts of a release, in a transaction of their own (a cut already stored, by another
    process taking the same release, is left as it is)."""
    if not cuts:
        return
    rows = [
        {"survey_id": survey_id, "kind": kind, "survey_version": v, "lang": lang, "tag": tag, "cut": cut}
        for (v, lang, tag), cut in cuts.items()
    ]
    engine = bind if isinstance(bind, Engine) else bind.engine
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    with writer(engine).begin() as conn:
        conn.execute(insert(ReleaseCut).values(rows).on_conflict_do_nothing())
