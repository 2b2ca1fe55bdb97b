"""The clinical rules a facility runs: the published defaults with its newest override applied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detoxflow.clinical.rulebook import RULEBOOK, RuleSet, RuleValueRejected, apply_override
from detoxflow.facilities.models import RuleOverride


@dataclass(frozen=True)
class RulesInForce:
    """A rule set as the facility runs it, and the version label stored with each decision it makes."""

    rules: Any
    version: str
    override: RuleOverride | None


def rules_in_force(facility_id: int, rule_set: RuleSet) -> RulesInForce:
    """The facility's newest override of `rule_set` applied to the published default, or the default itself."""
    override = RuleOverride.objects.filter(facility_id=facility_id, rule_set=rule_set.value).first()
    if override is None:
        return RulesInForce(RULEBOOK[rule_set][0], "published default", None)
    note = f"Facility override v{override.pk} by {override.changed_by_name} on {override.changed_at:%Y-%m-%d}"
    try:
        rules = apply_override(rule_set, override.values, note)
    except RuleValueRejected:
        # Saved before today's checks existed and contradicts them: the published default runs instead,
        # and the version every decision records says so (the rules page shows why).
        return RulesInForce(RULEBOOK[rule_set][0], f"published default (override v{override.pk} refused)", override)
    return RulesInForce(rules, f"facility override v{override.pk}", override)
