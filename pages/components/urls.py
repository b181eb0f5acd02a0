"""The partner pages' scripts, the address that opens a result again, and values from the URL made safe
to repeat in a message."""

from __future__ import annotations

import re
from urllib.parse import urlencode

START_PAGE = "pages/partner/start.py"
CHECK_PAGE = "pages/partner/questionnaire.py"
RESULT_PAGE = "pages/partner/result.py"
PROFILE_PAGE = "pages/partner/profile.py"
RESULT_PATH = "result"  # the result page's url_path in app.py


def result_query(code: str, lang: str) -> dict[str, str]:
    """The URL parameters that open a result: its code (the only key) and the language to show it in."""
    return {"code": code, "lang": lang}


def result_link(public_url: str, code: str, lang: str) -> str:
    """The full address of a result, to keep, send or scan."""
    return f"{public_url.rstrip('/')}/{RESULT_PATH}?{urlencode(result_query(code, lang))}"


def echo(value: object, limit: int = 40) -> str:
    """A value from the URL, safe to repeat in a message: only letters, digits, '.', '_' and '-'.

    Messages are rendered as markdown, so anything else could become a link or an image.
    """
    return re.sub(r"[^A-Za-z0-9._-]", "", str(value))[:limit] or "?"
