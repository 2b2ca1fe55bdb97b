"""Read side of withdrawal assessments: the trend charts on the patient page and the API list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from detoxflow.assessments.models import WithdrawalAssessment
from detoxflow.assessments.trends import Chart, Series, render
from detoxflow.clinical.scales import COWS, SOWS
from detoxflow.episodes.models import Episode


def trend_charts(
    episode: Episode,
    assessments: Sequence[WithdrawalAssessment],
    now: dt.datetime,
    doses: Sequence[tuple[dt.datetime, str]] = (),
) -> list[SafeString]:
    """COWS and SOWS totals with their bands, vitals, and doses marked, over the episode."""
    if not assessments:
        return []
    local = [(timezone.localtime(a.assessed_at), a) for a in assessments]
    start = timezone.localtime(episode.admitted_at or local[0][0]) - dt.timedelta(hours=1)
    end = timezone.localtime(episode.discharged_at or now) + dt.timedelta(hours=1)

    def points(code: str | None, attr: str) -> list[tuple[dt.datetime, float]]:
        return [
            (t, float(getattr(a, attr)))
            for t, a in local
            if (code is None or a.instrument == code) and getattr(a, attr) is not None
        ]

    marks = [(timezone.localtime(at), label) for at, label in doses]
    charts = [
        Chart(
            "COWS total", [Series("COWS", points("COWS", "total"), "#0b5cad")], COWS.max_total, COWS.bands, doses=marks
        ),
        Chart(
            "SOWS total (patient's own)",
            [Series("SOWS", points("SOWS", "total"), "#7a3fb0")],
            SOWS.max_total,
            SOWS.bands,
            doses=marks,
        ),
        Chart(
            "Vitals",
            [
                Series("Heart rate", points(None, "heart_rate"), "#b3261e"),
                Series("Systolic BP", points(None, "systolic_bp"), "#1e7a3c"),
                Series("Respiratory rate", points(None, "respiratory_rate"), "#a35a00"),
            ],
            200,
        ),
    ]
    return [mark_safe(render(c, start, end)) for c in charts if any(s.points for s in c.series)]  # noqa: S308  (built from numbers and escaped labels)
