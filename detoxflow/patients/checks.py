"""A system check reporting stored medical record numbers outside the safe character set (issue 13).

Reported, never rewritten: the number is printed on wristbands and held by labs, pharmacies and referrers, so
changing it is a person's decision (made through PATCH /api/patients/<id>, the one demographics edit today). A
check rather than a data migration because a migration reports once, to whoever watched it run; this one speaks
at every `manage.py migrate` and `manage.py check --database default` until the last row is corrected.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError
from django.db.models import Q

SHOWN = 20
# The same rule as MRN_PATTERN, written so SQLite (Python's re) and PostgreSQL (POSIX) read it alike: any
# character outside the set, or a permitted punctuation mark first. (A "$" anchor would differ: Python's lets
# a trailing newline through.)
_OUTSIDE_THE_SET = r"[^A-Za-z0-9._/-]"
_PUNCTUATION_FIRST = r"^[._/-]"


@register(Tags.database)
def unsafe_record_numbers(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """One warning listing (by id, never by value) the patients whose record number needs correcting."""
    if not databases:
        return []
    from detoxflow.patients.models import Patient  # noqa: PLC0415  (checks load before the app registry is ready)

    found: list[CheckMessage] = []
    for alias in databases:
        unsafe = Patient.objects.using(alias).filter(
            Q(mrn="") | Q(mrn__regex=_OUTSIDE_THE_SET) | Q(mrn__regex=_PUNCTUATION_FIRST)
        )
        try:
            count = unsafe.count()
            ids = list(unsafe.order_by("pk").values_list("pk", flat=True)[:SHOWN])
        except DatabaseError:
            continue  # not migrated yet (the first `migrate` runs its checks before creating the table)
        if count:
            more = f" and {count - len(ids)} more" if count > len(ids) else ""
            found.append(
                Warning(
                    f"{count} patient(s) have a medical record number outside the safe character set "
                    f"(letters, digits and . _ / -): patient id {', '.join(map(str, ids))}{more}.",
                    hint="Correct each number as the patient's other records hold it, without spaces, quotes or line "
                    "breaks (PATCH /api/patients/<id> with a new mrn); nothing is rewritten automatically.",
                    id="patients.W001",
                )
            )
    return found
