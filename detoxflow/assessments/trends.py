"""Server-rendered SVG trend charts: totals and vitals over a real time axis, bands shaded, doses marked.

SVG needs no script and prints as drawn; every label is escaped. Colour is never the only cue: each series
has its own colour from the Okabe–Ito palette, its own marker shape and its own dash pattern, so lines stay
apart for a colour-blind reader and on a greyscale printout. No text sits on the plot, where it could hide a
point: band names stand in a gutter to the right, the legend is HTML above the chart (it wraps, and stays
legible at phone width where the drawing shrinks), and dose marks stand in a rail above the plot, spread so
that two doses a minute apart are two marks, each joined to its true time by a leader.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Literal

from detoxflow.clinical.scales.instrument import Band

# Okabe M, Ito K. "Color Universal Design" (2008): eight colours told apart under the common colour-vision
# deficiencies. Yellow (#F0E442) is not used: it is too light on white for a line or a marker.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

Marker = Literal["circle", "square", "triangle", "diamond"]
Place = Callable[[dt.datetime], float]  # where a time falls on the plot's x axis

# Light to dark as severity rises, so the order reads without colour too; each band is also named in the gutter.
BAND_FILLS = ("#f2f7f2", "#fff8e1", "#ffe9cc", "#ffd9c7", "#fbd0d0")
WIDTH, LEFT, GUTTER = 760, 48, 136
PAD, RAIL, AXIS = 8, 16, 38  # space above the plot, the dose rail, the time labels below it
DOSE_GAP, BAND_LABEL_GAP = 10.0, 12.0  # the least distance between two dose marks, and between band names
TICK_STEPS_MINUTES = (15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)
MAX_TIME_TICKS = 9  # about 65 px between time labels on the 600 px plot


@dataclass(frozen=True)
class Style:
    """How a series is drawn: colour, marker shape and dash pattern, so colour is never the only cue."""

    colour: str
    marker: Marker = "circle"
    dash: str = ""  # an SVG stroke-dasharray; "" is a solid line


@dataclass(frozen=True)
class Series:
    """One line on a chart."""

    name: str
    points: Sequence[tuple[dt.datetime, float]]
    style: Style


@dataclass(frozen=True)
class Chart:
    """What to draw: lines, the y range, optional bands, dose marks and names for the y values."""

    title: str
    series: Sequence[Series]
    y_max: float
    bands: Sequence[Band] = ()
    doses: Sequence[tuple[dt.datetime, str]] = field(default_factory=tuple)
    y_min: float = 0
    plot_height: int = 150
    unit: str = ""
    # For an ordinal scale drawn as numbers (POSS S, 1-4): the y values to label, and their names.
    y_labels: Mapping[float, str] = field(default_factory=dict)


def render(chart: Chart, start: dt.datetime, end: dt.datetime) -> str:
    """A <figure> with the chart's caption, legend and SVG between `start` and `end`."""
    return (
        f'<figure class="trend-figure"><figcaption>{escape(chart.title)}</figcaption>'
        f"{_legend(chart)}{_svg(chart, start, end)}</figure>"
    )


def _svg(chart: Chart, start: dt.datetime, end: dt.datetime) -> str:
    # The chart's usual range, widened to a round number when a reading falls outside it (a heart rate of 180).
    values = [v for s in chart.series for _, v in s.points]
    step = _tick_step(chart.y_max - chart.y_min)
    y_min = min(chart.y_min, math.floor(min(values, default=chart.y_min) / step) * step)
    y_max = max(chart.y_max, math.ceil(max(values, default=chart.y_max) / step) * step)
    # Times are placed by their UTC instants: wall-clock subtraction would misplace a point by an hour
    # across a daylight-saving change.
    origin = start.astimezone(dt.UTC)
    span = max((end.astimezone(dt.UTC) - origin).total_seconds(), 3600.0)
    plot_w = WIDTH - LEFT - GUTTER
    rail_top = PAD
    top = rail_top + (RAIL if chart.doses else 0)
    bottom = top + chart.plot_height
    height = bottom + AXIS

    def x(t: dt.datetime) -> float:
        return LEFT + plot_w * (t.astimezone(dt.UTC) - origin).total_seconds() / span

    def y(v: float) -> float:
        return top + chart.plot_height * (1 - (v - y_min) / (y_max - y_min))

    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(_summary(chart))}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    # Bands shade the plot; their names stand in the gutter, spread so that thin bands' names do not collide.
    centres = []
    for index, band in enumerate(chart.bands):
        band_top, band_bottom = y(min(band.high + 1, y_max)), y(max(band.low, y_min))
        fill = BAND_FILLS[index % len(BAND_FILLS)]
        parts.append(
            f'<rect x="{LEFT}" y="{band_top:.1f}" width="{plot_w}" height="{band_bottom - band_top:.1f}" '
            f'fill="{fill}"><title>{escape(band.label)} {band.low}-{band.high}</title></rect>'
        )
        centres.append((band_top + band_bottom) / 2 + 4)
    order = sorted(range(len(centres)), key=centres.__getitem__)
    spread = _spread([centres[i] for i in order], BAND_LABEL_GAP, top + 8, bottom)
    for i, at in zip(order, spread, strict=True):
        parts.append(f'<text x="{LEFT + plot_w + 6}" y="{at:.1f}" class="band">{escape(chart.bands[i].label)}</text>')
    ticks = sorted(chart.y_labels) if chart.y_labels else _ticks(y_min, y_max)
    for tick in ticks:
        label = chart.y_labels.get(tick, f"{tick:g}")
        parts.append(
            f'<line x1="{LEFT}" y1="{y(tick):.1f}" x2="{LEFT + plot_w}" y2="{y(tick):.1f}" class="hgrid"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" class="tick">{escape(label)}</text>'
        )
    parts.append(f'<line x1="{LEFT}" y1="{bottom}" x2="{LEFT + plot_w}" y2="{bottom}" class="axis"/>')
    parts.extend(_time_axis(start, end, x, top, bottom))
    parts.extend(_dose_marks(chart.doses, x, rail_top=rail_top, top=top, bottom=bottom, left=LEFT, right=LEFT + plot_w))
    for series in chart.series:
        if not series.points:
            continue
        style = series.style
        path = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in series.points)
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        parts.append(f'<polyline points="{path}" fill="none" stroke="{style.colour}" stroke-width="2"{dash}/>')
        for t, v in series.points:
            title = f"{series.name} {v:g}{f' {chart.unit}' if chart.unit else ''} at {t:%a %d %b %H:%M}"
            if chart.y_labels:
                title = f"{series.name} {chart.y_labels.get(v, f'{v:g}')} at {t:%a %d %b %H:%M}"
            parts.append(_marker(style, x(t), y(v), title))
    parts.append("</svg>")
    return "".join(parts)


def _legend(chart: Chart) -> str:
    """Each series' swatch (its line, dash and marker) and name; dose marks too, when the chart has any."""
    items = []
    for series in chart.series:
        if not series.points:
            continue
        style = series.style
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        items.append(
            '<li><svg viewBox="0 0 32 12" width="32" height="12" aria-hidden="true">'
            f'<line x1="0" y1="6" x2="32" y2="6" stroke="{style.colour}" stroke-width="2"{dash}/>'
            f"{_marker(style, 16, 6, '')}</svg>{escape(series.name)}</li>"
        )
    if chart.doses:
        items.append(
            '<li><svg viewBox="0 0 32 12" width="32" height="12" aria-hidden="true">'
            '<line x1="16" y1="0" x2="16" y2="12" class="dose"/>'
            f"{_dose_marker(16, 0)}</svg>Dose given</li>"
        )
    return f'<ul class="trend-legend" aria-label="Legend">{"".join(items)}</ul>'


def _marker(style: Style, cx: float, cy: float, title: str) -> str:
    """A point drawn in the series' own shape: the shape tells series apart where colours cannot."""
    tip = f"<title>{escape(title)}</title>" if title else ""
    fill = f'fill="{style.colour}"'
    if style.marker == "square":
        return f'<rect x="{cx - 3.5:.1f}" y="{cy - 3.5:.1f}" width="7" height="7" {fill}>{tip}</rect>'
    if style.marker == "triangle":
        corners = f"{cx:.1f},{cy - 4.5:.1f} {cx - 4.5:.1f},{cy + 3.5:.1f} {cx + 4.5:.1f},{cy + 3.5:.1f}"
        return f'<polygon points="{corners}" {fill}>{tip}</polygon>'
    if style.marker == "diamond":
        corners = f"{cx:.1f},{cy - 5:.1f} {cx + 5:.1f},{cy:.1f} {cx:.1f},{cy + 5:.1f} {cx - 5:.1f},{cy:.1f}"
        return f'<polygon points="{corners}" {fill}>{tip}</polygon>'
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" {fill}>{tip}</circle>'


def _dose_marker(cx: float, top: float, title: str = "") -> str:
    tip = f"<title>{escape(title)}</title>" if title else ""
    corners = f"{cx - 4:.1f},{top:.1f} {cx + 4:.1f},{top:.1f} {cx:.1f},{top + 7:.1f}"
    return f'<polygon points="{corners}" class="dose-mark">{tip}</polygon>'


def _dose_marks(
    doses: Sequence[tuple[dt.datetime, str]],
    x: Place,
    *,
    rail_top: float,
    top: float,
    bottom: float,
    left: float,
    right: float,
) -> list[str]:
    """A dashed line across the plot at each dose's true time, and a mark in the rail above, spread apart.

    On a five-day chart a minute is a tenth of a pixel, so doses given together would draw as one line; their
    marks are pushed apart (at least DOSE_GAP) and each joined by a leader to where its line meets the plot.
    """
    if not doses:
        return []
    timed = sorted(doses, key=lambda dose: dose[0])
    true_x = [x(when) for when, _ in timed]
    drawn = _spread(true_x, DOSE_GAP, left, right)
    parts = []
    for (when, label), at, mark in zip(timed, true_x, drawn, strict=True):
        parts.append(
            f'<line x1="{at:.1f}" y1="{top}" x2="{at:.1f}" y2="{bottom}" class="dose">'
            f"<title>{escape(label)}</title></line>"
        )
        if abs(mark - at) > 0.5:
            parts.append(f'<line x1="{mark:.1f}" y1="{rail_top + 7}" x2="{at:.1f}" y2="{top}" class="leader"/>')
        parts.append(_dose_marker(mark, rail_top, f"{label} at {when:%a %d %b %H:%M}"))
    return parts


def _time_axis(start: dt.datetime, end: dt.datetime, x: Place, top: float, bottom: float) -> list[str]:
    """Ticks at round local times (every 15 minutes up to every week, whichever keeps labels apart).

    The day is written under the first tick and under each midnight, where a darker line marks the day's change.
    """
    minutes = max((end - start).total_seconds() / 60, 60.0)
    step_minutes = next((s for s in TICK_STEPS_MINUTES if minutes / s <= MAX_TIME_TICKS), TICK_STEPS_MINUTES[-1])
    step = dt.timedelta(minutes=step_minutes)
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if step_minutes <= 1440:
        elapsed = (start - midnight).total_seconds() / 60
        tick = midnight + dt.timedelta(minutes=elapsed // step_minutes * step_minutes)
    else:
        tick = midnight
    parts = []
    first = True
    while tick <= end:
        if tick >= start:
            at = x(tick)
            new_day = (tick.hour, tick.minute) == (0, 0)
            kind = "day" if new_day else "grid"
            parts.append(f'<line x1="{at:.1f}" y1="{top}" x2="{at:.1f}" y2="{bottom}" class="{kind}"/>')
            if step_minutes < 1440:
                parts.append(
                    f'<text x="{at:.1f}" y="{bottom + 17}" text-anchor="middle" class="tick">{tick:%H:%M}</text>'
                )
            if first or new_day:
                row = bottom + (31 if step_minutes < 1440 else 17)
                parts.append(f'<text x="{at:.1f}" y="{row}" text-anchor="middle" class="tick">{tick:%a %d %b}</text>')
            first = False
        # Wall-clock steps: ticks stay on the hour across a daylight-saving change.
        tick += step
    return parts


def _spread(positions: Sequence[float], gap: float, low: float, high: float) -> list[float]:
    """Positions (sorted ascending) moved as little as possible so that neighbours are at least `gap` apart,
    within [low, high] while there is room: a forward pass pushes right, a backward pass pulls back in."""
    placed = list(positions)
    for i in range(len(placed)):
        floor = low if i == 0 else placed[i - 1] + gap
        placed[i] = max(placed[i], floor)
    for i in range(len(placed) - 1, -1, -1):
        ceiling = high if i == len(placed) - 1 else placed[i + 1] - gap
        placed[i] = max(min(placed[i], ceiling), low)
    return placed


def _summary(chart: Chart) -> str:
    """The chart in words, for a screen reader: each series' number of readings and the latest."""
    said = []
    for series in chart.series:
        if not series.points:
            continue
        when, value = series.points[-1]
        shown = chart.y_labels.get(value, f"{value:g}") if chart.y_labels else f"{value:g}"
        unit = f" {chart.unit}" if chart.unit and not chart.y_labels else ""
        said.append(f"{series.name}: {len(series.points)} readings, latest {shown}{unit} at {when:%a %d %b %H:%M}")
    if chart.doses:
        said.append(f"{len(chart.doses)} doses marked")
    return f"{chart.title}. " + "; ".join(said)


def _tick_step(span: float) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about five ticks over `span`."""
    raw = max(span, 1.0) / 5
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _ticks(low: float, high: float) -> list[float]:
    """Round values from `low` to `high`: 0, 10, 20 ... rather than 0, 12, 24 ..."""
    step = _tick_step(high - low)
    ticks, value = [], math.ceil(low / step) * step
    while value <= high + 1e-9:
        ticks.append(value)
        value += step
    return ticks
