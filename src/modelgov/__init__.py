"""modelgov: a policy-as-code governance linter for ML model repositories."""

from __future__ import annotations

__version__ = "0.1.0"
