"""The directory's CSV format, both ways. Import is all or nothing: one bad row, nothing written.

Columns: kind, name, address, postcode, latitude, longitude, phone, hours, services, payment,
languages, last_checked. Lists use "|" between items (e.g. "medicaid|private|sliding scale").
Hours use the written form of opening_hours ("mon-fri 08:00-17:00; sat 10:00-14:00" or "24/7").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from detoxflow.directory.models import Resource, ResourceKind
from detoxflow.directory.opening_hours import HoursRejected, parse_hours

COLUMNS = (
    "kind",
    "name",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "phone",
    "hours",
    "services",
    "payment",
    "languages",
    "last_checked",
)
LISTS = ("services", "payment", "languages")
# Columns stored in a bounded text field: PostgreSQL refuses a longer value with an error, not a message.
TEXT_FIELDS = {"name": "name", "address": "address", "postcode": "postcode", "phone": "phone", "hours": "hours_text"}


@dataclass(frozen=True)
class RowError:
    """A problem in one row: the file line, the column, and what is wrong."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        # Line 0 is the file as a whole (too large, not UTF-8): its message is a sentence of its own.
        return self.message if self.line == 0 else f"line {self.line}, {self.field}: {self.message}"


def _row(raw: dict[str, str], line: int, errors: list[RowError]) -> dict[str, Any]:
    def bad(field: str, message: str) -> None:
        errors.append(RowError(line, field, message))

    values: dict[str, Any] = {}
    for column, field in TEXT_FIELDS.items():
        limit = getattr(Resource._meta.get_field(field), "max_length", None) or 0
        if len((raw.get(column) or "").strip()) > limit:
            bad(column, f"longer than the {limit} characters the directory holds")
    kind = (raw.get("kind") or "").strip()
    if kind not in ResourceKind.values:
        bad("kind", f"'{kind}' is not one of {', '.join(ResourceKind.values)}")
    values["kind"] = kind
    for field in ("name", "phone"):
        values[field] = (raw.get(field) or "").strip()
        if not values[field]:
            bad(field, "required")
    values["address"] = (raw.get("address") or "").strip()
    values["postcode"] = (raw.get("postcode") or "").strip().upper()
    for field, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        text = (raw.get(field) or "").strip()
        try:
            values[field] = float(text) if text else None
        except ValueError:
            bad(field, f"'{text}' is not a number")
            continue
        if values[field] is not None and not low <= values[field] <= high:
            bad(field, f"{text} is outside {low} to {high}")
    if (values.get("latitude") is None) != (values.get("longitude") is None):
        bad("longitude", "give both latitude and longitude, or neither")
    values["hours_text"] = (raw.get("hours") or "").strip()
    try:
        values["hours"] = parse_hours(values["hours_text"]) if values["hours_text"] else {}
    except HoursRejected as rejected:
        bad("hours", str(rejected))
    for field in LISTS:
        values[field] = [item.strip().lower() for item in (raw.get(field) or "").split("|") if item.strip()]
    checked = (raw.get("last_checked") or "").strip()
    try:
        values["last_checked"] = dt.date.fromisoformat(checked) if checked else None
    except ValueError:
        bad("last_checked", f"'{checked}' is not a date (YYYY-MM-DD)")
    return values


def read_rows(text: str, *, max_rows: int) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Every row's values and every error found; the caller writes only when there are no errors.

    Reading stops at the first row past `max_rows`, so an oversized file costs no more than the limit.
    """
    reader = csv.DictReader(io.StringIO(text))
    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    try:
        missing = [c for c in ("kind", "name", "phone") if c not in (reader.fieldnames or [])]
        if missing:
            return [], [RowError(1, ", ".join(missing), "column missing from the header")]
        for row in reader:
            if len(rows) == max_rows:
                message = f"more than {max_rows:,} rows (DIRECTORY_IMPORT_MAX_ROWS); split the file, import each part"
                return [], [RowError(reader.line_num, "file", message)]
            rows.append(_row(row, reader.line_num, errors))
    except csv.Error as unreadable:  # e.g. a field past the csv module's 131,072-character limit
        return [], [RowError(reader.line_num, "file", f"not readable as CSV ({unreadable})")]
    if not rows and not errors:
        errors.append(RowError(1, "file", "no rows to import"))
    return rows, errors


def write_rows(resources: list[Resource]) -> str:
    """The same format, so an export can be edited and imported again."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in resources:
        writer.writerow(
            [
                r.kind,
                r.name,
                r.address,
                r.postcode,
                "" if r.latitude is None else r.latitude,
                "" if r.longitude is None else r.longitude,
                r.phone,
                r.hours_text,
                "|".join(r.services),
                "|".join(r.payment),
                "|".join(r.languages),
                r.last_checked.isoformat() if r.last_checked else "",
            ]
        )
    return out.getvalue()
