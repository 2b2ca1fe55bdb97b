"""`{% load datetimes %}`: `{{ moment|when }}` writes a date or time in the product's one format.

`|date` with a hand-written format is how pages drifted into five ways of writing a time; `when` takes a
length instead ("short" within a stay, "seconds" where order matters, as in the audit log), in the user's
local time, and an empty value stays empty.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats, timezone

register = template.Library()

_FORMATS = {
    "": "DATETIME_FORMAT",
    "short": "SHORT_DATETIME_FORMAT",
    "date": "DATE_FORMAT",
    "short_date": "SHORT_DATE_FORMAT",
    "time": "TIME_FORMAT",
}


@register.filter
def when(value: dt.datetime | dt.date | None, length: str = "") -> str:
    """A datetime or date in the product's format: "", "short", "date", "short_date", "time" or "seconds"."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if length == "seconds":
        # The audit log: events a second apart must read in the order they happened.
        return formats.date_format(value, f"{formats.get_format('DATETIME_FORMAT')}:s")
    if length not in _FORMATS:
        raise template.TemplateSyntaxError(f"when: unknown length {length!r}; use one of {sorted(_FORMATS)}.")
    if not isinstance(value, dt.datetime) and length in ("", "short"):
        length = "date" if length == "" else "short_date"  # a date alone has no time to show
    return formats.date_format(value, _FORMATS[length])
