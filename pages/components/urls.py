"""The partner pages' scripts, and values from the URL made safe to repeat in a message."""

from __future__ import annotations

import re

START_PAGE = "pages/partner/start.py"
CHECK_PAGE = "pages/partner/questionnaire.py"
RESULT_PAGE = "pages/partner/result.py"
PROFILE_PAGE = "pages/partner/profile.py"


def echo(value: object, limit: int = 40) -> str:
    """A value from the URL, safe to repeat in a message: only letters, digits, '.', '_' and '-'.

    Messages are rendered as markdown, so anything else could become a link or an image.
    """
    return re.sub(r"[^A-Za-z0-9._-]", "", str(value))[:limit] or "?"
