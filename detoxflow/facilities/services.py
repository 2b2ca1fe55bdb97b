"""Writers for facility configuration: bed housekeeping and clinical rule overrides, each audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from detoxflow.accounts.models import User
from detoxflow.audit.services import record_event
from detoxflow.clinical.rulebook import RuleSet, RuleValueRejected, check_values, configurable
from detoxflow.errors import InvalidInput
from detoxflow.facilities.models import Bed, Housekeeping, RuleOverride


def set_housekeeping(actor: User, bed: Bed, state: str, *, address: str | None) -> Bed:
    """Mark a bed ready, being cleaned or out of service."""
    if state not in Housekeeping.values:
        raise InvalidInput("housekeeping", f"Choose one of: {', '.join(Housekeeping.labels)}.")
    with transaction.atomic():
        bed.housekeeping = state
        bed.save(update_fields=["housekeeping"])
        record_event(
            actor=actor,
            action="bed.housekeeping",
            facility_id=bed.facility_id,
            object_type="Bed",
            object_id=bed.pk,
            address=address,
            detail={"housekeeping": state},
        )
    return bed


def override_rules(
    actor: User, rule_set: RuleSet, values: dict[str, Any], *, reason: str, now: dt.datetime, address: str | None
) -> RuleOverride:
    """Store a new version of the facility's rule set; values are checked against the rulebook's bounds."""
    if not configurable(rule_set):
        raise InvalidInput("rule_set", f"{rule_set.label} are fixed by their source; a facility cannot change them.")
    faults: dict[str, str] = {}
    if not reason.strip():
        faults["reason"] = "Say why the published value is changed (e.g. medical director decision, date)."
    try:
        check_values(rule_set, values)
    except RuleValueRejected as rejected:
        faults.update(rejected.faults)
    if faults:
        field, message = next(iter(faults.items()))
        raise InvalidInput(field, message, field_errors=list(faults.items()))
    with transaction.atomic():
        override = RuleOverride.objects.create(
            facility_id=actor.facility_id,
            rule_set=rule_set.value,
            values=values,
            reason=reason.strip(),
            changed_at=now,
            changed_by=actor,
            changed_by_name=actor.display_name,
        )
        record_event(
            actor=actor,
            action="rules.override",
            object_type="RuleOverride",
            object_id=override.pk,
            address=address,
            detail={"rule_set": rule_set.value, "values": values},
        )
    return override
