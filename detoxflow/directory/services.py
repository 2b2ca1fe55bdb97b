"""Writer for the directory: CSV import, all rows or none."""

from __future__ import annotations

from django.db import transaction

from detoxflow.accounts.models import User
from detoxflow.audit.services import record_event
from detoxflow.directory.csv_format import RowError, read_rows
from detoxflow.directory.models import Resource
from detoxflow.errors import InvalidInput


class ImportRefused(InvalidInput):
    """A CSV with at least one bad row; nothing was written. `errors` lists every problem found."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("file", f"Nothing imported: {len(errors)} problem(s). " + "; ".join(map(str, errors[:20])))
        self.errors = errors


def import_resources(actor: User, text: str, *, replace: bool, address: str | None) -> int:
    """Add (or, with `replace`, swap in) the file's resources for the actor's facility; returns how many."""
    rows, errors = read_rows(text)
    if errors:
        raise ImportRefused(errors)
    with transaction.atomic():
        if replace:
            Resource.objects.filter(facility_id=actor.facility_id).delete()
        Resource.objects.bulk_create([Resource(facility_id=actor.facility_id, **row) for row in rows])
        record_event(
            actor=actor,
            action="directory.import",
            object_type="Resource",
            address=address,
            detail={"rows": len(rows), "replace": replace},
        )
    return len(rows)
