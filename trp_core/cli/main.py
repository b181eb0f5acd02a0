"""The `trp` command: survey files, answer sets, the calculation model, the database, accounts, events."""

from __future__ import annotations

import click

from trp_core.cli.admin import admin
from trp_core.cli.db import db
from trp_core.cli.demo import demo
from trp_core.cli.event import event
from trp_core.cli.report import report
from trp_core.cli.scoring import breakeven, score
from trp_core.cli.serve import serve
from trp_core.cli.surveys import survey, validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """TRP Self-Check: tools for survey files, answer sets and the calculation model."""


for command in (validate, score, breakeven, survey, db, admin, demo, event, report, serve):
    main.add_command(command)
