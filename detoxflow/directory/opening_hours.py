"""Opening hours as data, and whether a place is open at a given local time, across midnight too.

Pure. The written form is what a coordinator types into a CSV: "24/7", or
"mon-fri 08:00-17:00; sat 10:00-14:00; fri 22:00-02:00" (an end before the start runs past midnight).
"""

from __future__ import annotations

import datetime as dt
import re

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?)\s+(?P<start>\d{2}:\d{2})-(?P<end>\d{2}:\d{2})$")

Hours = dict[str, list[list[str]]]


class HoursRejected(ValueError):
    """Opening hours that cannot be read; the message says which part and why."""


def _time(text: str) -> dt.time:
    try:
        hour, minute = (int(x) for x in text.split(":"))
        return dt.time(hour, minute)
    except ValueError:
        raise HoursRejected(f"'{text}' is not a time (use HH:MM, 00:00-23:59)") from None


def parse_hours(text: str) -> Hours:
    """Read the written form into {"mon": [["08:00", "17:00"]], ...}; '24/7' is every day all day."""
    text = text.strip().lower()
    if text in ("24/7", "24h", "always"):
        return {day: [["00:00", "24:00"]] for day in DAYS}
    hours: Hours = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        match = _PART.match(part)
        if not match:
            raise HoursRejected(f"'{part}' should look like 'mon-fri 08:00-17:00'")
        first, _, last = match["days"].partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise HoursRejected(f"'{match['days']}': days are {', '.join(DAYS)}")
        start, end = _time(match["start"]), _time(match["end"])
        if start == end:
            raise HoursRejected(f"'{part}' opens and closes at the same time")
        span = DAYS[DAYS.index(first) : DAYS.index(last or first) + 1]
        if not span:
            raise HoursRejected(f"'{match['days']}' runs backwards through the week")
        for day in span:
            hours.setdefault(day, []).append([match["start"], match["end"]])
    return hours


def is_open(hours: Hours, at: dt.datetime) -> bool:
    """Open at local time `at`? An interval ending before it starts continues into the next day."""
    day = DAYS[at.weekday()]
    yesterday = DAYS[(at.weekday() - 1) % 7]
    now = at.time()
    for start, end in hours.get(day, []):
        if end == "24:00" or end <= start:  # runs to midnight (or past it)
            if now >= _time(start):
                return True
        elif _time(start) <= now < _time(end):
            return True
    return any(end <= start and end != "24:00" and now < _time(end) for start, end in hours.get(yesterday, []))
