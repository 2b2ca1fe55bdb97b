"""The trend drawing: a legend for every line, colour never the only cue, doses given together drawn apart,
a labelled time axis, and no text over the plot. Pure: no database."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from detoxflow.assessments import trends
from detoxflow.assessments.trends import Chart, Series, Style, render
from detoxflow.clinical.scales import COWS

LOCAL = ZoneInfo("America/New_York")
T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=LOCAL)
OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
PLOT_LEFT, PLOT_RIGHT = trends.LEFT, trends.WIDTH - trends.GUTTER


def vitals_chart(doses=()):
    return Chart(
        "Heart rate and blood pressure",
        [
            Series("Heart rate", [(T0, 104.0), (T0 + dt.timedelta(hours=4), 96.0)], Style(trends.VERMILLION, "circle")),
            Series("Systolic BP", [(T0, 138.0)], Style(trends.BLUE, "square", "7 4")),
            Series("Diastolic BP", [(T0, 88.0)], Style(trends.BLUISH_GREEN, "triangle", "2 3")),
        ],
        160,
        doses=doses,
        y_min=40,
    )


def svg_of(html):
    return html[html.index('<svg class="trend"') : html.rindex("</svg>")]


def dose_mark_xs(html):
    return [float(m) for m in re.findall(r'<polygon points="([\d.]+),[\d.]+ [^"]*" class="dose-mark"', svg_of(html))]


def test_the_legend_names_every_line_and_the_dose_marks():
    html = render(vitals_chart(doses=[(T0, "Clonidine 0.1 mg")]), T0, T0 + dt.timedelta(hours=6))
    legend = html[html.index('<ul class="trend-legend"') : html.index("</ul>")]
    names = re.findall(r"</svg>([^<]+)</li>", legend)
    assert names == ["Heart rate", "Systolic BP", "Diastolic BP", "Dose given"]
    assert "<figcaption>Heart rate and blood pressure</figcaption>" in html


def test_series_differ_by_shape_and_dash_not_by_colour_alone():
    html = render(vitals_chart(), T0, T0 + dt.timedelta(hours=6))
    styles = [s.style for s in vitals_chart().series]
    assert len({(s.marker, s.dash) for s in styles}) == len(styles)
    assert {s.colour.upper() for s in styles} <= OKABE_ITO
    assert "<circle" in html
    assert "<rect" in html  # the square markers
    assert 'stroke-dasharray="7 4"' in html
    assert 'stroke-dasharray="2 3"' in html


def test_the_charts_the_patient_page_draws_use_the_okabe_ito_palette():
    used = {
        colour.upper()
        for colour in re.findall(r'stroke="(#[0-9A-Fa-f]{6})"', render(vitals_chart(), T0, T0 + dt.timedelta(hours=1)))
    }
    assert used <= OKABE_ITO


@pytest.mark.parametrize(
    ("span", "apart"),
    [(dt.timedelta(hours=2), dt.timedelta(minutes=1)), (dt.timedelta(days=5), dt.timedelta(minutes=1))],
    ids=["two-hours", "five-days"],
)
def test_doses_a_minute_apart_are_two_marks(span, apart):
    doses = [
        (T0 + dt.timedelta(hours=1), "Buprenorphine SL tablet 4 mg"),
        (T0 + dt.timedelta(hours=1) + apart, "Ondansetron 4 mg"),
    ]
    html = render(vitals_chart(doses=doses), T0, T0 + span)
    first, second = dose_mark_xs(html)
    assert second - first >= trends.DOSE_GAP
    # Each dose keeps its line at its true time (the medication test relies on the label in the line's title).
    assert 'class="dose"><title>Buprenorphine SL tablet 4 mg</title>' in html
    assert html.count("<title>Ondansetron 4 mg at Fri 20 Nov 10:01</title>") == 1


def test_marks_stay_in_time_order_and_inside_the_plot_at_the_right_edge():
    end = T0 + dt.timedelta(hours=6)
    doses = [(end - dt.timedelta(minutes=n), f"Dose {n}") for n in range(4)]
    xs = dose_mark_xs(render(vitals_chart(doses=doses), T0, end))
    assert xs == sorted(xs)
    assert all(b - a >= trends.DOSE_GAP - 0.01 for a, b in zip(xs, xs[1:], strict=False))
    assert xs[-1] <= PLOT_RIGHT


def test_the_time_axis_has_labelled_times_and_the_day():
    html = render(vitals_chart(), T0, T0 + dt.timedelta(hours=6))
    times = re.findall(r'class="tick">(\d\d:\d\d)</text>', html)
    assert times[:3] == ["09:00", "10:00", "11:00"]
    assert ">Fri 20 Nov</text>" in html
    five_days = render(vitals_chart(), T0, T0 + dt.timedelta(days=5))
    assert re.findall(r'class="tick">(\w\w\w \d\d \w\w\w)</text>', five_days)[:2] == ["Sat 21 Nov", "Sun 22 Nov"]


def test_points_are_placed_by_real_time_across_the_daylight_saving_change():
    # 1 Nov 2026: New York's clocks go back at 02:00 EDT, so 02:00 EST is 150 real minutes after 00:30 EDT, not
    # the 90 the wall clock shows.
    start = dt.datetime(2026, 11, 1, 0, 30, tzinfo=LOCAL)
    later = dt.datetime(2026, 11, 1, 2, 0, tzinfo=LOCAL)
    end = (start.astimezone(dt.UTC) + dt.timedelta(hours=3)).astimezone(LOCAL)
    chart = Chart("Pain", [Series("Pain", [(start, 2.0), (later, 5.0)], Style(trends.BLUE))], 10)
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg_of(render(chart, start, end)))]
    assert xs[1] - xs[0] == pytest.approx((PLOT_RIGHT - PLOT_LEFT) * 150 / 180, abs=0.2)


def test_no_text_is_drawn_over_the_plot():
    chart = Chart(
        "COWS total",
        [Series("COWS", [(T0, 13.0), (T0 + dt.timedelta(hours=5, minutes=50), 47.0)], Style(trends.BLUE))],
        COWS.max_total,
        COWS.bands,
        doses=[(T0 + dt.timedelta(hours=1), "Dose")],
    )
    svg = svg_of(render(chart, T0, T0 + dt.timedelta(hours=6)))
    for x, anchor, text in re.findall(
        r'<text x="([\d.]+)" y="[\d.]+"(?: text-anchor="(\w+)")? class="(?:band|tick)">([^<]*)', svg
    ):
        at = float(x)
        if anchor == "end":
            assert at <= PLOT_LEFT, text  # y values: left of the plot
        elif anchor == "middle":
            assert re.fullmatch(r"\d\d:\d\d|\w\w\w \d\d \w\w\w", text), text  # times: under the axis (see y)
        else:
            assert at >= PLOT_RIGHT, text  # band names: in the gutter
    below = [float(y) for y in re.findall(r'y="([\d.]+)" text-anchor="middle" class="tick"', svg)]
    plot_bottom = float(re.findall(r'y1="([\d.]+)" x2="[\d.]+" y2="[\d.]+" class="axis"', svg)[0])
    assert all(y > plot_bottom + 8 for y in below)
    assert "Moderately severe" in svg


def test_band_names_do_not_collide_in_the_gutter():
    chart = Chart("COWS total", [Series("COWS", [(T0, 3.0)], Style(trends.BLUE))], COWS.max_total, COWS.bands)
    svg = svg_of(render(chart, T0, T0 + dt.timedelta(hours=2)))
    ys = sorted(float(y) for y in re.findall(r'y="([\d.]+)" class="band"', svg))
    assert len(ys) == len(COWS.bands)
    assert all(b - a >= trends.BAND_LABEL_GAP - 0.01 for a, b in zip(ys, ys[1:], strict=False))


def test_y_ticks_are_round_numbers_and_widen_for_an_outlying_reading():
    assert trends._ticks(0, 48) == [0, 10, 20, 30, 40]
    chart = Chart("Heart rate", [Series("Heart rate", [(T0, 182.0)], Style(trends.VERMILLION))], 160, y_min=40)
    svg = svg_of(render(chart, T0, T0 + dt.timedelta(hours=1)))
    assert ">200</text>" in svg
    assert "<title>Heart rate 182 at Fri 20 Nov 09:00</title>" in svg


def test_an_ordinal_scale_is_labelled_with_its_own_words():
    chart = Chart(
        "Sedation (POSS)",
        [Series("Sedation", [(T0, 0.0), (T0 + dt.timedelta(hours=1), 3.0)], Style(trends.BLACK, "square"))],
        4,
        y_labels={0.0: "S", 1.0: "1", 2.0: "2", 3.0: "3", 4.0: "4"},
    )
    html = render(chart, T0, T0 + dt.timedelta(hours=2))
    assert ">S</text>" in html
    assert "<title>Sedation 3 at Fri 20 Nov 10:00</title>" in html
    assert "latest 3 at Fri 20 Nov 10:00" in html  # the screen reader's summary


def test_labels_are_escaped():
    chart = Chart("<b>x</b>", [Series("<script>", [(T0, 1.0)], Style(trends.BLUE))], 10, doses=[(T0, "<img>")])
    html = render(chart, T0, T0 + dt.timedelta(hours=1))
    assert "<script>" not in html
    assert "<img>" not in html
    assert "<b>" not in html
