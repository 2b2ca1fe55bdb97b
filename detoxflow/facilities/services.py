"""Writers for beds: housekeeping state, audited like every other change."""

from __future__ import annotations

from django.db import transaction

from detoxflow.accounts.models import User
from detoxflow.audit.services import record_event
from detoxflow.errors import InvalidInput
from detoxflow.facilities.models import Bed, Housekeeping


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
