"""Number and calculator fields in the real app (AppTest): the page language's formats, and a message
under the field, with the step kept, for what a field does not take."""

from __future__ import annotations

from tests.app.conftest import new_app
from tests.app.test_partner_flow import answer_step, fixture
from tests.conftest import SURVEYS
from trp_core.files.surveys import load_survey


def keys(at) -> tuple[int, str]:
    return at.session_state["trp.gen"], at.session_state["trp.lang"]


def field(at, name: str, prefix: str = "q"):
    gen, lang = keys(at)
    return at.text_input(key=f"{prefix}.{gen}.{lang}.{name}")


def messages(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(":red[")]


def started(survey: str, lang: str):
    at = new_app(survey=survey, lang=lang)
    at.button(key="start").click().run()
    assert at.session_state["trp.step"] == 0
    return at


def to_calculator(at):
    for _ in range(20):
        if any(b.key == "submit" for b in at.button):
            return at
        at.button(key="nav.next").click().run()
    raise AssertionError("the questionnaire did not reach the calculator")


def test_german_numbers_are_read_as_germans_write_them(app_db):
    at = started("trp-classic", "de")
    field(at, "active_customers").input("1 200")
    field(at, "reference_customers").input("1.000")
    field(at, "budget_holder_meetings").input("12")
    at.button(key="nav.next").click().run()
    answers = at.session_state["trp.answers"]
    assert answers["active_customers"] == 1200 and isinstance(answers["active_customers"], int)
    assert answers["reference_customers"] == 1000
    assert answers["budget_holder_meetings"] == 12
    at.button(key="nav.next").click().run()  # open questions pointed out: go on anyway
    assert at.session_state["trp.step"] == 1
    field(at, "sales_fte").input("1,5")
    at.button(key="nav.next").click().run()
    assert at.session_state["trp.answers"]["sales_fte"] == 1.5


def test_a_number_out_of_range_is_named_under_the_field_and_keeps_the_step(app_db):
    at = started("trp-classic", "de")
    field(at, "active_customers").input("1.200")
    field(at, "budget_holder_meetings").input("25")
    at.button(key="nav.next").click().run()
    assert at.session_state["trp.step"] == 0
    assert messages(at) == [
        ":red[:material/error: 25 ist größer als 20\\. Bitte geben Sie eine ganze Zahl zwischen 0 und 20 "
        "ein, z\\. B\\. 12\\.]"
    ]
    assert [e.value for e in at.error] == ["Bitte korrigieren Sie die markierten Felder."]
    assert "budget_holder_meetings" not in at.session_state["trp.answers"]
    # Nothing typed is lost: both fields still hold what was typed.
    assert field(at, "active_customers").value == "1.200"
    assert field(at, "budget_holder_meetings").value == "25"
    field(at, "budget_holder_meetings").input("20")
    at.button(key="nav.next").click().run()
    assert not messages(at) and not at.error
    assert at.session_state["trp.answers"]["budget_holder_meetings"] == 20


def test_a_refused_step_does_not_switch_the_language_or_go_back_either(app_db):
    at = started("trp-classic", "de")
    field(at, "active_customers").input("abc")
    at.button(key="nav.lang").click().run()
    assert at.session_state["trp.lang"] == "de"
    assert messages(at) and messages(at)[0].startswith(
        ":red[:material/error: „abc“ ist keine gültige Zahl\\."
    )


def test_english_numbers_and_german_ones_in_an_english_page(app_db):
    at = started("trp-classic", "en")
    field(at, "active_customers").input("1,200")
    field(at, "budget_holder_meetings").input("1,5")  # German, or a misplaced separator: not a number here
    at.button(key="nav.next").click().run()
    assert at.session_state["trp.step"] == 0
    assert messages(at) == [
        ":red[:material/error: “1,5” is not a valid number\\. Please enter a whole number between 0 and 20, "
        "e\\.g\\. 12\\.]"
    ]
    assert [e.value for e in at.error] == ["Please correct the marked fields."]


def test_fields_show_kept_answers_in_the_page_format(app_db):
    at = started("trp-classic", "de")
    field(at, "active_customers").input("1200")
    at.button(key="nav.next").click().run()
    at.button(key="nav.next").click().run()
    field(at, "sales_fte").input("2.5")  # an English decimal point in German: refused
    at.button(key="nav.next").click().run()
    assert at.session_state["trp.step"] == 1
    field(at, "sales_fte").input("2,5")
    at.button(key="nav.back").click().run()
    assert at.session_state["trp.step"] == 0
    assert field(at, "active_customers").value == "1.200"
    at.button(key="nav.next").click().run()
    at.button(key="nav.next").click().run()  # open questions pointed out: go on anyway
    assert field(at, "sales_fte").value == "2,5"


def test_calculator_takes_german_figures_and_refuses_submit_while_one_is_wrong(app_db):
    # One step answered: an answer set with nothing in it cannot be submitted at all.
    at = started("trp-standard", "de")
    first = load_survey(SURVEYS / "trp-standard.yaml").ordered_sections[0]
    answer_step(at, first, fixture("trp-standard", "held"))
    at = to_calculator(at)
    gen, lang = keys(at)
    assert [f.value for f in at.text_input if f.key == f"c.{gen}.{lang}.deals_per_month"] == ["1,5"]
    field(at, "deals_per_month", "c").input("2,5").run()
    field(at, "investment", "c").input("1.200").run()
    field(at, "margin", "c").input("20 %").run()
    answers = at.session_state["trp.answers"]
    assert (answers["deals_per_month"], answers["investment"], answers["margin"]) == (2.5, 1200, 0.2)
    field(at, "fixed_costs_per_month", "c").input("1 200").run()
    assert at.session_state["trp.answers"]["fixed_costs_per_month"] == 1200
    field(at, "first_deal_month", "c").input("25").run()
    assert messages(at) == [
        ":red[:material/error: 25 ist größer als 24\\. Bitte geben Sie eine ganze Zahl zwischen 1 und 24 "
        "ein, z\\. B\\. 15\\.]"
    ]
    assert at.session_state["trp.answers"]["first_deal_month"] == 4  # the last valid figure
    at.button(key="submit").click().run()
    assert "trp.result" not in at.session_state
    assert [e.value for e in at.error] == ["Bitte korrigieren Sie die markierten Felder."]
    field(at, "first_deal_month", "c").input("6").run()
    at.button(key="submit").click().run()
    assert at.session_state["trp.result"].code
