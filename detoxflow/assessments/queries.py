"""Read side of withdrawal assessments: the trend charts and the recent-assessments table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from detoxflow.assessments.models import Sedation, WithdrawalAssessment
from detoxflow.assessments.trends import (
    BLACK,
    BLUE,
    BLUISH_GREEN,
    VERMILLION,
    Chart,
    Series,
    Style,
    render,
)
from detoxflow.clinical.scales import COWS, SOWS
from detoxflow.episodes.models import Episode

# POSS drawn as a number so it can be a line: S (asleep, easy to arouse) at the bottom, 4 (minimal response) on top.
SEDATION_LEVELS: dict[str, float] = {code: float(level) for level, code in enumerate(Sedation.values)}
SEDATION_LABELS: dict[float, str] = {level: code for code, level in SEDATION_LEVELS.items()}


def recent_assessments(episode: Episode, limit: int) -> list[WithdrawalAssessment]:
    """The episode's newest assessments, newest first, with every vital charted: one query."""
    return list(episode.withdrawal_assessments.order_by("-assessed_at", "-pk")[:limit])


def trend_charts(
    episode: Episode,
    assessments: Sequence[WithdrawalAssessment],
    now: dt.datetime,
    doses: Sequence[tuple[dt.datetime, str]] = (),
) -> list[SafeString]:
    """COWS and SOWS totals with their bands, and every vital charted, over the episode with doses marked.

    Vitals are drawn as small charts on one shared time axis, grouped by scale (a heart rate of 100 and a
    temperature of 37 on one y axis would flatten the temperature to a line). Charts without a reading are left out.
    """
    if not assessments:
        return []
    local = [(timezone.localtime(a.assessed_at), a) for a in assessments]
    start = timezone.localtime(episode.admitted_at or local[0][0]) - dt.timedelta(hours=1)
    end = timezone.localtime(episode.discharged_at or now) + dt.timedelta(hours=1)

    def points(
        attr: str, code: str | None = None, value: Callable[[Decimal | int | str], float] = float
    ) -> list[tuple[dt.datetime, float]]:
        return [
            (t, value(getattr(a, attr)))
            for t, a in local
            if (code is None or a.instrument == code) and getattr(a, attr) not in (None, "")
        ]

    marks = [(timezone.localtime(at), label) for at, label in doses]

    def sedation_level(code: Decimal | int | str) -> float:
        return SEDATION_LEVELS[str(code)]

    def single_vital(
        title: str, name: str, attr: str, style: Style, y_max: float, *, y_min: float = 0, unit: str
    ) -> Chart:
        """A short chart of one vital under the scores: one line, the doses marked, its unit on the axis.

        Every vital that is not read beside another (heart rate with blood pressure) is drawn the same way, so the
        small charts line up on the shared time axis and read alike."""
        return Chart(
            title, [Series(name, points(attr), style)], y_max, doses=marks, y_min=y_min, plot_height=90, unit=unit
        )

    charts = [
        Chart(
            "COWS total",
            [Series("COWS", points("total", "COWS"), Style(BLUE, "circle"))],
            COWS.max_total,
            COWS.bands,
            doses=marks,
            plot_height=170,
        ),
        Chart(
            "SOWS total (patient's own)",
            [Series("SOWS", points("total", "SOWS"), Style(VERMILLION, "diamond", "6 3"))],
            SOWS.max_total,
            SOWS.bands,
            doses=marks,
            plot_height=170,
        ),
        Chart(
            "Heart rate (/min) and blood pressure (mmHg)",
            [
                Series("Heart rate", points("heart_rate"), Style(VERMILLION, "circle")),
                Series("Systolic BP", points("systolic_bp"), Style(BLUE, "square", "7 4")),
                Series("Diastolic BP", points("diastolic_bp"), Style(BLUISH_GREEN, "triangle", "2 3")),
            ],
            160,
            doses=marks,
            y_min=40,
        ),
        single_vital(
            "Respiratory rate (/min)", "Respiratory rate", "respiratory_rate", Style(BLACK, "diamond"), 30, unit="/min"
        ),
        single_vital("Oxygen saturation, SpO2 (%)", "SpO2", "spo2", Style(BLUE, "square"), 100, y_min=88, unit="%"),
        single_vital(
            "Temperature (°C)", "Temperature", "temperature_c", Style(VERMILLION, "triangle"), 39, y_min=35, unit="°C"
        ),
        single_vital("Pain (0-10)", "Pain", "pain", Style(BLUISH_GREEN, "diamond", "6 3"), 10, unit="of 10"),
        Chart(
            "Sedation (POSS)",
            [Series("Sedation", points("sedation", value=sedation_level), Style(BLACK, "square", "2 3"))],
            max(SEDATION_LABELS),
            doses=marks,
            plot_height=90,
            y_labels=SEDATION_LABELS,
        ),
    ]
    return [mark_safe(render(c, start, end)) for c in charts if any(s.points for s in c.series)]  # noqa: S308  (built from numbers and escaped labels)
