"""JSON for the API with datetimes written exactly as stored.

Django's encoder (which django-ninja's extends) cuts datetimes to milliseconds. A scheduled dose's due
time has microseconds (it counts from the moment the order was signed), so a client that sent back the
due time it was given would name no slot at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class ExactTimesEncoder(NinjaJSONEncoder):
    """NinjaJSONEncoder, except that datetimes and times keep their microseconds (ISO 8601, UTC as Z)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class ExactTimesRenderer(JSONRenderer):
    encoder_class = ExactTimesEncoder
