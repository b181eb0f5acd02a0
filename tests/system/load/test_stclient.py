"""The protocol client against the real server: what it submits is what the app stores."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session as DbSession

from tests.conftest import BUNDLED
from tests.support.server import Server
from tests.support.stclient import ClientError, Session, Visitor
from tests.system.load.conftest import run_coroutine
from trp_core.files.surveys import load_survey
from trp_core.method.codes import code_hash
from trp_core.method.levers import assess
from trp_core.presentation.i18n import t
from trp_core.store.models import Response


def stored(database: Engine, code: str) -> Response | None:
    with DbSession(database) as s:
        return s.scalar(select(Response).where(Response.code_hash == code_hash(code)))


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_visitor_completes_survey(server: Server, database: Engine, path, lang: str) -> None:
    survey = load_survey(path)
    # Some questions left open and some "don't know", so the warning step and every widget kind occur.
    visitor = Visitor(
        server.url, survey, lang, random.Random(f"{path.stem}-{lang}"), answer_rate=0.85, dont_know_rate=0.2
    )

    async def visit():
        try:
            return await visitor.complete()
        finally:
            await visitor.close()

    visit = run_coroutine(visit())

    assert visit.errors == []
    assert visit.code is not None, visitor.session.texts()
    row = stored(database, visit.code)
    assert row is not None
    assert (row.survey_id, row.lang) == (survey.id, lang)
    expected = dict(visit.answers)
    for name, spec in survey.calculator.inputs.items():
        if spec.from_question and expected.get(name) == expected.get(spec.from_question):
            expected.pop(name)  # a figure the field took from an answer is stored once: as the answer
    assert row.answers == expected
    assert row.quadrant == assess(survey, visit.answers).quadrant.value
    assert set(survey.calculator.inputs) <= set(visit.answers)


def test_form_values_go_with_submit_and_errors_are_read(server: Server) -> None:
    """A form's field is sent only with its submit button; an error box is read as an error."""

    async def scenario() -> tuple[list[str], list[str], str]:
        async with Session(server.url) as s:
            await s.connect("lang=en")
            field = s.find(label=t("reopen_label", "en"))
            assert field.form_id == "reopen"
            runs = s.runs
            await s.set(field, "0000-0000-0000-0000")
            assert s.runs == runs  # held in the form: no rerun
            before = s.errors()
            await s.click(s.find(label=t("reopen_button", "en")))
            return before, s.errors(), s.find(label=t("reopen_label", "en")).value

    before, after, kept = run_coroutine(scenario())
    assert before == []
    assert after == [t("reopen_invalid", "en")]
    assert kept == "0000-0000-0000-0000"


def test_missing_widget_and_timeout_are_clear_errors(server: Server) -> None:
    async def scenario() -> None:
        async with Session(server.url, timeout=20) as s:
            await s.connect("lang=de")
            with pytest.raises(ClientError, match="no widget"):
                s.find(key="no-such-key")
            await s.close()
            with pytest.raises(ClientError, match="not connected"):
                await s.rerun()
        with pytest.raises(ClientError, match="cannot open"):
            await Session("http://127.0.0.1:9", timeout=5).connect()

    run_coroutine(scenario())
