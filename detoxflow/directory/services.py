"""Writer for the directory: CSV import, all rows or none."""

from __future__ import annotations

from django.conf import settings
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


def import_resources(actor: User, data: bytes, *, replace: bool, address: str | None) -> int:
    """Add (or, with `replace`, swap in) the file's resources for the actor's facility; returns how many.

    A file over DIRECTORY_IMPORT_MAX_BYTES or DIRECTORY_IMPORT_MAX_ROWS is refused whole, naming the limit:
    250,000 rows held a worker for 51 seconds. The caller need read no more than the byte limit plus one.
    """
    max_bytes, max_rows = settings.DIRECTORY_IMPORT_MAX_BYTES, settings.DIRECTORY_IMPORT_MAX_ROWS
    if len(data) > max_bytes:
        message = (
            f"The file is larger than the {max_bytes:,} bytes (DIRECTORY_IMPORT_MAX_BYTES) one import accepts; "
            "split it and import each part."
        )
        raise ImportRefused([RowError(0, "file", message)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([RowError(0, "file", "The file is not UTF-8 text; save it as CSV UTF-8.")]) from None
    rows, errors = read_rows(text, max_rows=max_rows)
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
