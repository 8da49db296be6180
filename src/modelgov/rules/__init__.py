"""The built-in rules: an explicit registry, one module per rule.

Plug-ins register more rules through the ``modelgov.rules`` entry point group
(see :mod:`modelgov.registry`); the built-ins are listed here literally so
that mypy checks every one and start-up does not scan installed packages.
"""

from __future__ import annotations

from types import ModuleType

from . import (
    mg001_yaml_syntax,
    mg002_duplicate_key,
    mg003_multiple_documents,
    mg004_not_a_mapping,
    mg005_unreadable_file,
    mg006_unsupported_yaml,
    mg007_invalid_value,
    mg008_hidden_characters,
    mg009_declaration_missing,
    mg010_schema,
    mg011_unknown_key,
    mg012_declaration_ambiguous,
    mg100_schema_version,
    mg101_name,
    mg102_risk_tier,
    mg103_placeholder,
    mg110_owner_missing,
    mg111_owner_person,
    mg120_on_call_missing,
    mg121_on_call_escalation,
    mg130_rollback_missing,
    mg131_rollback_time_limit,
    mg132_decision_owner_person,
    mg133_rollback_preserves_data,
    mg140_drift_missing,
    mg141_drift_signals,
    mg142_drift_alert_route,
    mg150_deploy_missing,
    mg151_deploy_roles,
    mg152_deploy_self_approval,
    mg160_reference_missing,
    mg161_paths_unmatched,
    mg170_retraining_missing,
    mg200_review_overdue,
    mg201_rollback_drill_overdue,
    mg202_code_changed,
    mg203_history_shallow,
    mg204_owner_handoff,
    mg205_person_inactive,
    mg206_codeowners,
    mg210_waiver_invalid,
    mg211_waiver_expired,
    mg212_waiver_too_long,
    mg213_waiver_self_approved,
    mg214_waiver_unused,
)
from .base import RuleModule

#: The built-in rules by id: a literal table, so mypy checks each module against
#: :class:`~modelgov.rules.base.RuleModule` and a new rule is one line here.
BUILTIN: dict[str, RuleModule] = {
    "MG001": mg001_yaml_syntax,
    "MG002": mg002_duplicate_key,
    "MG003": mg003_multiple_documents,
    "MG004": mg004_not_a_mapping,
    "MG005": mg005_unreadable_file,
    "MG006": mg006_unsupported_yaml,
    "MG007": mg007_invalid_value,
    "MG008": mg008_hidden_characters,
    "MG009": mg009_declaration_missing,
    "MG010": mg010_schema,
    "MG011": mg011_unknown_key,
    "MG012": mg012_declaration_ambiguous,
    "MG100": mg100_schema_version,
    "MG101": mg101_name,
    "MG102": mg102_risk_tier,
    "MG103": mg103_placeholder,
    "MG110": mg110_owner_missing,
    "MG111": mg111_owner_person,
    "MG120": mg120_on_call_missing,
    "MG121": mg121_on_call_escalation,
    "MG130": mg130_rollback_missing,
    "MG131": mg131_rollback_time_limit,
    "MG132": mg132_decision_owner_person,
    "MG133": mg133_rollback_preserves_data,
    "MG140": mg140_drift_missing,
    "MG141": mg141_drift_signals,
    "MG142": mg142_drift_alert_route,
    "MG150": mg150_deploy_missing,
    "MG151": mg151_deploy_roles,
    "MG152": mg152_deploy_self_approval,
    "MG160": mg160_reference_missing,
    "MG161": mg161_paths_unmatched,
    "MG170": mg170_retraining_missing,
    "MG200": mg200_review_overdue,
    "MG201": mg201_rollback_drill_overdue,
    "MG202": mg202_code_changed,
    "MG203": mg203_history_shallow,
    "MG204": mg204_owner_handoff,
    "MG205": mg205_person_inactive,
    "MG206": mg206_codeowners,
    "MG210": mg210_waiver_invalid,
    "MG211": mg211_waiver_expired,
    "MG212": mg212_waiver_too_long,
    "MG213": mg213_waiver_self_approved,
    "MG214": mg214_waiver_unused,
}

#: The same modules, for the ``modelgov.rules`` entry point (plug-ins declare lists too).
BUILTIN_MODULES: tuple[ModuleType, ...] = tuple(BUILTIN.values())  # type: ignore[arg-type]
