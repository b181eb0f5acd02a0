"""Tags of events and campaigns on SQLite and PostgreSQL: the rule of signed links, the key, migration
0009 over stored event data, `trp event` and `trp demo seed --event`, and the campaign mix: per tag group
as the dashboard offers it, with the dashboard's own figures."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, inspect, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from tests.store.conftest import random_sets, save
from tests.store.manager.conftest import add, answers_for
from trp_core.cli import report
from trp_core.cli.main import main
from trp_core.method.tags import signature
from trp_core.method.vocabulary import Quadrant
from trp_core.services import campaigns, tags
from trp_core.store.engine import make_engine, writer
from trp_core.store.migrate import current_revision, downgrade, head_revision, upgrade
from trp_core.store.models import FunnelCounter, Response, SigningKey, Tag
from trp_core.store.repository import Store

TODAY = date.today()


@pytest.fixture
def clean(store):
    """The shared database without tags (the store fixture has emptied the responses)."""
    with Session(writer(store.engine)) as s, s.begin():
        s.execute(delete(Tag))
    return store


def sig_of(link: str) -> str:
    return dict(parse_qsl(urlsplit(link).query))["sig"]


def test_only_a_signed_link_of_an_open_tag_is_accepted(clean):
    engine = clean.engine
    fair = tags.create(engine, kind="event", name="Tiny fair", survey="trp-standard")
    assert fair.slug == "tiny-fair"
    good = sig_of(tags.link(engine, fair, "http://x"))
    accepted = tags.accept(engine, "tiny-fair", good)
    assert accepted is not None and accepted.slug == "tiny-fair" and accepted.survey == "trp-standard"
    assert tags.event_for(accepted, "trp-standard") == "tiny-fair"
    assert tags.event_for(accepted, "trp-cloud") is None, "another survey than the link's"
    other = tags.create(engine, kind="campaign", name="Big fair", survey="trp-standard")
    for slug, given in [
        ("tiny-fair", None),  # unsigned
        ("tiny-fair", ""),
        ("tiny-fair", good[:-1]),  # cut
        ("tiny-fair", good.upper() if good.upper() != good else good.lower()),  # changed
        ("tiny-fair", sig_of(tags.link(engine, other, "http://x"))),  # another tag's
        ("tiny-fairs", good),  # an edited slug
        ("no-such-fair", good),  # unknown
        ("Tiny Fair", good),  # not a slug at all
        (["tiny-fair"], good),
    ]:
        assert tags.accept(engine, slug, given) is None, (slug, given)
    # The signature binds the survey too: one made for the same slug and another survey fails.
    key = engine.url.render_as_string(hide_password=True)
    assert tags.accept(engine, "tiny-fair", signature(tags._keys[key], "tiny-fair", "trp-cloud")) is None


def test_dates_and_ending_close_a_tag(clean):
    engine = clean.engine
    rows = {
        "expired": tags.create(engine, kind="event", name="Expired", survey="trp-cloud",
                               starts_on=TODAY - timedelta(days=9), ends_on=TODAY - timedelta(days=1)),
        "last-day": tags.create(engine, kind="event", name="Last day", survey="trp-cloud", ends_on=TODAY),
        "upcoming": tags.create(engine, kind="event", name="Upcoming", survey="trp-cloud",
                                starts_on=TODAY + timedelta(days=1)),
        "ended": tags.create(engine, kind="campaign", name="Ended", survey="trp-cloud"),
    }  # fmt: skip
    assert tags.end(engine, "ended") and not tags.end(engine, "ended")
    accepted = {
        slug: tags.accept(engine, slug, sig_of(tags.link(engine, row, "http://x")))
        for slug, row in rows.items()
    }
    assert {slug for slug, a in accepted.items() if a is not None} == {"last-day"}
    assert [tags.status(tags.find(engine, s)) for s in rows] == [
        tags.TagStatus.EXPIRED, tags.TagStatus.OPEN, tags.TagStatus.UPCOMING, tags.TagStatus.ENDED,
    ]  # fmt: skip
    # A session that took the tag on its last day does not carry it into the next.
    assert tags.event_for(accepted["last-day"], "trp-cloud", TODAY + timedelta(days=1)) is None


def test_the_key_is_the_databases_own_unless_trp_secret_is_set(clean, monkeypatch):
    engine = clean.engine
    row = tags.create(engine, kind="event", name="Keyed", survey="trp-cloud")
    link = tags.link(engine, row, "http://x")
    tags._keys.clear()  # another process: reads the same key from the database
    assert tags.link(engine, row, "http://x") == link
    with engine.connect() as conn:
        assert len(conn.execute(select(SigningKey.key)).scalars().all()) == 1
    monkeypatch.setenv("TRP_SECRET", "s" * 40)
    assert tags.accept(engine, row.slug, sig_of(link)) is None, "another key: the old links tag nothing"
    assert tags.accept(engine, row.slug, sig_of(tags.link(engine, row, "http://x"))) is not None


def test_create_refuses_what_cannot_be_a_tag(clean):
    engine = clean.engine
    tags.create(engine, kind="event", name="Expo", survey="trp-cloud")
    cases = [
        ({"name": "Expo"}, "taken"),
        ({"name": " "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "Ok", "slug": "Bad Slug"}, "slug"),
        ({"name": "!!"}, "slug"),
        ({"name": "Ok", "kind": "fair"}, "kind"),
        ({"name": "Ok", "lang": "fr"}, "lang"),
        ({"name": "Ok", "survey": "nope"}, "survey"),
        ({"name": "Ok", "starts_on": TODAY, "ends_on": TODAY - timedelta(days=1)}, "dates"),
    ]
    for change, code in cases:
        args = {"kind": "event", "survey": "trp-cloud", "surveys": {"trp-cloud": None}, **change}
        with pytest.raises(tags.TagProblem) as problem:
            tags.create(engine, **args)
        assert problem.value.code == code, change


DAY = date(2025, 3, 12)  # the day `add` stores responses on: sessions and responses of a closed day


def mixed_tags(clean, standard) -> None:
    """mailing 17 (9 held, 6 vampir, 2 kandidat), expo 8, tiny-fair 3 (never published: fewer than k
    of its stream, trp_core.privacy.releases), quiet none.
    Sessions: mailing 30 started, 17 completed; expo 5 and tiny-fair 3 started (the group's 8: were
    the tiny fair's 3 the only other sessions, "all" − "mailing" would give them, and the sessions'
    lattice would withhold the mailing's funnel)."""
    for slug in ("mailing", "expo", "tiny-fair", "quiet"):
        tags.create(clean.engine, kind="campaign" if slug == "mailing" else "event", name=slug.title(),
                    survey=standard.id, slug=slug)  # fmt: skip
    add(clean, standard, answers_for("trp-standard", "held"), 9, event="mailing")
    add(clean, standard, answers_for("trp-standard", "vampir"), 6, event="mailing")
    add(clean, standard, answers_for("trp-standard", "kandidat"), 2, event="mailing")
    add(clean, standard, answers_for("trp-standard", "schatten"), 8, event="expo")
    add(clean, standard, answers_for("trp-standard", "held"), 3, event="tiny-fair")
    add(clean, standard, answers_for("trp-standard", "held"), 40)  # untagged: in no row
    for _ in range(30):
        clean.count(standard.id, "mailing", ["started"], day=DAY)
    for _ in range(17):
        clean.count(standard.id, "mailing", ["completed"], day=DAY)
    for _ in range(3):
        clean.count(standard.id, "tiny-fair", ["started"], day=DAY)
    for _ in range(5):
        clean.count(standard.id, "expo", ["started"], day=DAY)


def test_campaign_mix_is_per_tag_group_as_the_dashboard_offers_it(clean, surveys):
    standard = surveys["trp-standard"]
    mixed_tags(clean, standard)
    mix = campaigns.campaign_mix(clean.engine, surveys, k=5)
    assert [r.group.id for r in mix.rows] == ["mailing", "expo"]
    assert mix.small == 0 and {t.slug for t in mix.unanswered} == {"quiet", "tiny-fair"}
    row, merged = mix.rows
    assert (row.started, row.responses) == (30, 17)
    # 17 completed, shown as the dashboard shows it: shifted by at most 2 (the cell-key method)
    assert row.completed is not None and abs(row.completed - 17) <= mix.noise == 2
    # 9 in "held", shown as the dashboard shows it: shifted by at most 2 (the cell-key method)
    held = row.quadrants[Quadrant.HELD]
    assert held is not None and abs(held - 9) <= mix.noise == 2 and row.quadrants[Quadrant.KANDIDAT] is None
    assert sum(v is None for v in row.quadrants.values()) >= 2, "the 2 and a second figure hidden"
    assert row.share(Quadrant.HELD) == pytest.approx(held / 17)
    assert row.completion == pytest.approx(row.completed / 30)
    # The tiny fair is never a row, nor inside one: its 3 responses and 3 sessions wait.
    assert merged.responses == 8 and {t.slug for t in merged.tags} == {"expo"}
    assert merged.kind == "event"
    assert merged.started == 5 and merged.completed == 0


def test_every_campaign_figure_is_the_dashboards_figure_for_the_same_group(clean, surveys):
    """The claim that makes the table safe: it publishes nothing that `trp report dashboard` (the
    dashboard's own function) does not publish for the same tag group over all time."""
    standard = surveys["trp-standard"]
    mixed_tags(clean, standard)
    mix = campaigns.campaign_mix(clean.engine, surveys, k=5)
    assert mix.rows
    for row in mix.rows:
        dash = report.dashboard_report(clean.engine, standard, report.Ask(tag=row.group.id))
        assert dash["shown"] is not None and dash["shown"]["tags"] is not None
        assert dash["total"] == row.responses, row.group.id
        assert dash["quadrants"] == {q.value: n for q, n in row.quadrants.items()}, row.group.id
        assert (dash["funnel"]["started"], dash["funnel"]["completed"]) == (row.started, row.completed)
        # asking for any member tag gives the same group, so no member has figures of its own
        for tag in row.tags:
            again = report.dashboard_report(clean.engine, standard, report.Ask(tag=tag.slug))
            assert (again["total"], again["quadrants"]) == (dash["total"], dash["quadrants"])


def test_migration_0009_keeps_the_event_data_of_0006(empty_url: URL, surveys):
    """Responses and counters of revision 0006 keep their event values; each event becomes a tag."""
    engine = make_engine(empty_url)
    try:
        upgrade(engine)  # saved as this version saves (into the roll-ups too), then taken back to 0006
        store = Store(engine)
        sets = random_sets(surveys, 9, seed=13)
        events = [
            "cebit-2025",
            "cebit-2025",
            "cebit-2025",
            "partner-day",
            None,
            None,
            "cebit-2025",
            None,
            None,
        ]
        for i, ((survey, answers), event) in enumerate(zip(sets, events, strict=True)):
            save(store, survey, answers, event=event, day=date(2025, 3, 1) + timedelta(days=i))
        store.count("trp-cloud", "only-counted", ["started"], day=date(2025, 2, 1))
        store.count("trp-cloud", None, ["started"], day=date(2025, 2, 1))
        downgrade(engine, "0006")
        with engine.connect() as conn:
            before = sorted(conn.execute(select(Response.id, Response.event, Response.quadrant)).all())
            counters = sorted(conn.execute(select(FunnelCounter.event, FunnelCounter.count)).all())
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert (
                sorted(conn.execute(select(Response.id, Response.event, Response.quadrant)).all()) == before
            )
            assert sorted(conn.execute(select(FunnelCounter.event, FunnelCounter.count)).all()) == counters
        made = {row.slug: row for row in tags.all_tags(engine)}
        assert set(made) == {"cebit-2025", "partner-day", "only-counted"}
        cebit = made["cebit-2025"]
        main_survey = max(
            {s.id for (s, _), e in zip(sets, events, strict=True) if e == "cebit-2025"},
            key=lambda sid: sum(
                1 for (s, _), e in zip(sets, events, strict=True) if e == "cebit-2025" and s.id == sid
            ),
        )
        assert (cebit.kind, cebit.name, cebit.starts_on, cebit.ends_on) == (
            "event",
            "cebit-2025",
            date(2025, 3, 1),
            None,
        )
        assert cebit.survey_id == main_survey
        assert made["only-counted"].survey_id == "trp-cloud"
        # A manager can now link it: the signed link is accepted.
        assert tags.accept(engine, "cebit-2025", sig_of(tags.link(engine, cebit, "http://x"))) is not None
        downgrade(engine, "0006")
        assert not {"tags", "signing_keys"} & set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            assert (
                sorted(conn.execute(select(Response.id, Response.event, Response.quadrant)).all()) == before
            )
        upgrade(engine)
        assert {row.slug for row in tags.all_tags(engine)} == set(made)
    finally:
        tags._keys.clear()
        engine.dispose()


def test_demo_seed_with_an_event_makes_its_tag(empty_url: URL):
    url = empty_url.render_as_string(hide_password=False)
    runner = CliRunner()
    args = ["demo", "seed", "-n", "30", "--survey", "trp-cloud", "--event", "expo-2026", "--days", "5"]
    first = runner.invoke(main, [*args, "--seed", "1", "--url", url])
    assert first.exit_code == 0, first.output
    engine = make_engine(url)
    try:
        made = tags.find(engine, "expo-2026")
        assert made is not None and (made.kind, made.survey_id) == ("event", "trp-cloud")
        assert tags.status(made) is tags.TagStatus.OPEN
        again = runner.invoke(main, [*args, "--seed", "2", "--url", url])  # the tag exists: kept as it is
        assert again.exit_code == 0, again.output
        assert tags.all_tags(engine) == [made]
        with engine.connect() as conn:
            assert set(conn.execute(select(Response.event)).scalars()) == {"expo-2026"}
        bad = runner.invoke(main, ["demo", "seed", "-n", "5", "--event", "Expo_2026", "--url", url])
        assert bad.exit_code == 2
    finally:
        tags._keys.clear()
        engine.dispose()


def test_event_commands_make_list_link_and_end(empty_url: URL, tmp_path):
    from tests.support.kiosk_events import SLUG, write_events

    url = empty_url.render_as_string(hide_password=False)
    db = ["--db-url", url]
    runner = CliRunner()
    if empty_url.get_backend_name() == "postgresql":  # the operator migrates PostgreSQL, the commands do not
        refused = runner.invoke(main, ["event", "list", *db])
        assert refused.exit_code == 1 and "run `trp db upgrade`" in refused.stderr
        assert runner.invoke(main, ["db", "upgrade", "--url", url]).exit_code == 0
    made = runner.invoke(
        main, ["event", "create", "Newsletter März", "--survey", "trp-standard", "--kind", "campaign",
               "--lang", "de", "--ends", "2099-12-31", *db],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    link = made.stdout.strip()
    assert link.startswith("http://localhost:8501/?survey=trp-standard&tag=newsletter-maerz&sig=")
    assert link.endswith("&lang=de")
    engine = make_engine(url)
    try:
        assert tags.accept(engine, "newsletter-maerz", sig_of(link)) is not None
        again = runner.invoke(main, ["event", "create", "Newsletter März", "--survey", "trp-standard", *db])
        assert again.exit_code == 2 and "taken" in again.stderr
        events = write_events(tmp_path / "events.yaml")
        kiosk = runner.invoke(
            main, ["event", "link", SLUG, "--file", str(events), "--url", "http://10.0.0.5:8501/", *db]
        )
        assert kiosk.exit_code == 0, kiosk.output
        assert (
            kiosk.stdout.startswith(f"http://10.0.0.5:8501/?tag={SLUG}&sig=") and "&kiosk=1" in kiosk.stdout
        )
        listed = runner.invoke(main, ["event", "list", "--file", str(events), *db])
        assert listed.exit_code == 0
        rows = [line.split("\t") for line in listed.stdout.splitlines()]
        assert {(r[0], r[1], r[2]) for r in rows} == {
            (SLUG, "event", "open"),
            ("newsletter-maerz", "campaign", "open"),
        }
        ended = runner.invoke(main, ["event", "end", "newsletter-maerz", *db])
        assert ended.exit_code == 0 and tags.accept(engine, "newsletter-maerz", sig_of(link)) is None
        missing = runner.invoke(main, ["event", "link", "nope", "--file", str(events), *db])
        assert missing.exit_code == 1 and SLUG in missing.stderr
        partner = runner.invoke(main, ["event", "link", "newsletter-maerz", *db])
        assert partner.exit_code == 0 and "ended" in partner.stderr
    finally:
        tags._keys.clear()
        engine.dispose()
