"""The minimum-group rule: which counts may be shown, so that no small group can be seen or worked out."""
