"""`python -m trp_core.cli`: the `trp` command without the installed script."""

from trp_core.cli.main import main

main()
