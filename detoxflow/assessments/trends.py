"""Server-rendered SVG trend charts: totals and vitals over time, severity bands shaded, doses marked.

SVG needs no script and prints as drawn; every label is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from detoxflow.clinical.scales.instrument import Band

BAND_FILLS = ("#f2f7f2", "#fff8e1", "#ffe9cc", "#ffd9c7", "#fbd0d0")
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 760, 220, 44, 12, 14, 30


@dataclass(frozen=True)
class Series:
    """One line on a chart."""

    name: str
    points: Sequence[tuple[dt.datetime, float]]
    colour: str


@dataclass(frozen=True)
class Chart:
    """What to draw: lines, the y range, optional bands and dose marks."""

    title: str
    series: Sequence[Series]
    y_max: float
    bands: Sequence[Band] = ()
    doses: Sequence[tuple[dt.datetime, str]] = field(default_factory=tuple)
    y_min: float = 0


def render(chart: Chart, start: dt.datetime, end: dt.datetime) -> str:
    """An SVG document fragment for the chart between `start` and `end`."""
    span = max((end - start).total_seconds(), 3600.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: dt.datetime) -> float:
        return LEFT + plot_w * (t - start).total_seconds() / span

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - chart.y_min) / (chart.y_max - chart.y_min))

    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(chart.title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(chart.title)}</title>'
    ]
    for index, band in enumerate(chart.bands):
        top, bottom = y(min(band.high + 1, chart.y_max)), y(band.low)
        label = escape(band.label)
        fill = BAND_FILLS[index % len(BAND_FILLS)]
        parts.append(
            f'<rect x="{LEFT}" y="{top:.1f}" width="{plot_w}" height="{bottom - top:.1f}" fill="{fill}">'
            f"<title>{label} {band.low}-{band.high}</title></rect>"
            f'<text x="{WIDTH - RIGHT - 4}" y="{bottom - 3:.1f}" text-anchor="end" class="band">{label}</text>'
        )
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" class="axis"/>')
    for tick in _ticks(chart.y_min, chart.y_max):
        parts.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" class="tick">{tick:g}</text>')
    day = start.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    while day < end:
        parts.append(
            f'<line x1="{x(day):.1f}" y1="{TOP}" x2="{x(day):.1f}" y2="{TOP + plot_h}" class="grid"/>'
            f'<text x="{x(day):.1f}" y="{HEIGHT - 10}" text-anchor="middle" class="tick">{day:%a %d}</text>'
        )
        day += dt.timedelta(days=1)
    for when, label in chart.doses:
        parts.append(
            f'<line x1="{x(when):.1f}" y1="{TOP}" x2="{x(when):.1f}" y2="{TOP + plot_h}" class="dose">'
            f"<title>{escape(label)}</title></line>"
        )
    for series in chart.series:
        if not series.points:
            continue
        path = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in series.points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{series.colour}" stroke-width="2"/>')
        for t, v in series.points:
            parts.append(
                f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="3" fill="{series.colour}">'
                f"<title>{escape(series.name)} {v:g} at {t:%d %b %H:%M}</title></circle>"
            )
    legend = " · ".join(f'<tspan fill="{s.colour}">{escape(s.name)}</tspan>' for s in chart.series)
    parts.append(f'<text x="{LEFT}" y="{TOP - 2}" class="legend">{legend}</text></svg>')
    return "".join(parts)


def _ticks(low: float, high: float) -> list[float]:
    step = max(1.0, round((high - low) / 4))
    ticks, value = [], low
    while value <= high:
        ticks.append(value)
        value += step
    return ticks
