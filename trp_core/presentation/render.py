"""Charts as PNG images (vl-convert), their text in the bundled DejaVu Sans: for the PDF report and
the managers' exports, with no network and no system fonts."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Final

import altair as alt
import vl_convert

FONT_DIR: Final = Path(__file__).resolve().parent / "fonts"
CHART_FONT: Final = "DejaVu Sans"  # the family name inside the TTF, as vl-convert knows it
_fonts_lock = threading.Lock()
_fonts_registered = False


def _register_fonts() -> None:
    """Make the bundled DejaVu Sans known to vl-convert, once per process."""
    global _fonts_registered
    with _fonts_lock:
        if not _fonts_registered:
            vl_convert.register_font_directory(str(FONT_DIR))
            _fonts_registered = True


def chart_png(chart: alt.TopLevelMixin | dict[str, Any], scale: float = 2) -> bytes:
    """A chart (with a fixed width) as PNG, its text in the bundled DejaVu Sans; no network needed."""
    _register_fonts()
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    spec = {**spec, "config": {**spec.get("config", {}), "font": CHART_FONT}}
    return vl_convert.vegalite_to_png(spec, scale=scale)
