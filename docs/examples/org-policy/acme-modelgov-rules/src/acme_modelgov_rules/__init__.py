"""ACME's modelgov rules: each module has the shape of a built-in rule."""

from . import acme100_drift_window

RULES = (acme100_drift_window,)
