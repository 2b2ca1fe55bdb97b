"""Every vital a nurse charts is shown again: in the last-assessments table beside the charting form and in the
trend on the patient page; abnormal values are flagged in words, not by colour alone."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from detoxflow.accounts.permissions import Role
from detoxflow.assessments import services
from detoxflow.clinical.scales import COWS
from tests.builders import CHARTED_VITALS, stabilized_episode

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
ZERO = {item.key: 0 for item in COWS.items}
VITAL_CHARTS = (
    "Heart rate (/min) and blood pressure (mmHg)",
    "Respiratory rate (/min)",
    "Oxygen saturation, SpO2 (%)",
    "Temperature (°C)",
    "Pain (0-10)",
    "Sedation (POSS)",
)
# GET of the charting page with earlier assessments shown: session and user, the episode (scoped, with patient and
# bed), the audit event (savepoint, chain head, insert, head update, release), the last assessments in one query,
# and the session's idle-time stamp (savepoint, update, release). The patient banner's own queries are pinned by
# its own tests, so it is left out here.
CHART_PAGE_QUERIES = 12
BANNER = "detoxflow.web.context_processors.patient_banner"


@pytest.fixture
def episode(staff, patient, beds):
    with time_machine.travel(T0, tick=False):
        return stabilized_episode(staff[Role.PHYSICIAN], patient, beds[0], T0)


def chart(staff, episode, vitals, at=T0):
    return services.record_assessment(staff[Role.NURSE], episode, "COWS", ZERO, vitals, now=at, address=None)


def cells(page: str) -> dict[str, list[str]]:
    """The last-assessments table's cells by their labels: {label: [text, ...]} in row order."""
    table = page[page.index('<table class="vitals-table">') : page.index("</table>")]
    found: dict[str, list[str]] = {}
    for label, text in re.findall(r'<td data-label="([^"]+)"[^>]*>(.*?)</td>', table, re.DOTALL):
        found.setdefault(label, []).append(re.sub(r"<[^>]+>", "", text).strip())
    return found


def test_the_charting_page_shows_every_vital_of_the_last_assessments(client_as, staff, episode):
    chart(staff, episode, CHARTED_VITALS)
    chart(
        staff,
        episode,
        {**CHARTED_VITALS, "heart_rate": 125, "temperature_c": 38.4, "pain": 7},
        T0 + dt.timedelta(hours=1),
    )
    page = client_as(Role.NURSE).get(f"/episodes/{episode.pk}/assessments/new/?instrument=COWS").content.decode()
    shown = cells(page)
    assert shown["Heart rate (/min)"] == ["125 high", "104"]
    assert shown["BP (mmHg)"] == ["138/88", "138/88"]
    assert shown["Resp. rate (/min)"] == ["18", "18"]
    assert shown["Temp. (°C)"] == ["38.4 high", "37.2"]
    assert shown["SpO2 (%)"] == ["97", "97"]
    assert shown["Pain (0-10)"] == ["7", "4"]
    assert shown["Sedation (POSS)"] == ["1", "1"]
    assert 'title="1 - awake and alert"' in page


def test_a_vital_not_taken_shows_a_dash_not_a_zero(client_as, staff, episode):
    chart(staff, episode, {"heart_rate": 88})
    shown = cells(client_as(Role.NURSE).get(f"/episodes/{episode.pk}/assessments/new/").content.decode())
    assert shown["Heart rate (/min)"] == ["88"]
    assert shown["Temp. (°C)"] == shown["Pain (0-10)"] == shown["BP (mmHg)"] == ["–"]


def test_the_charting_page_lists_only_the_last_four(client_as, staff, episode):
    for hours in range(6):
        chart(staff, episode, {**CHARTED_VITALS, "pain": hours}, T0 + dt.timedelta(hours=hours))
    shown = cells(client_as(Role.NURSE).get(f"/episodes/{episode.pk}/assessments/new/").content.decode())
    assert shown["Pain (0-10)"] == ["5", "4", "3", "2"]


def test_the_charting_page_query_count_is_pinned(client_as, staff, episode, settings):
    options = settings.TEMPLATES[0]["OPTIONS"]
    options = {**options, "context_processors": [p for p in options["context_processors"] if p != BANNER]}
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "OPTIONS": options}]
    nurse = client_as(Role.NURSE)
    for hours in range(3):
        chart(staff, episode, CHARTED_VITALS, T0 + dt.timedelta(hours=hours))
    nurse.get(f"/episodes/{episode.pk}/assessments/new/")  # the session's first use settles its own writes
    with CaptureQueriesContext(connection) as queries:
        nurse.get(f"/episodes/{episode.pk}/assessments/new/")
    assert len(queries) == CHART_PAGE_QUERIES, "\n".join(q["sql"] for q in queries)


def test_the_first_vital_is_where_the_last_items_key_sends_focus(client_as, episode):
    page = client_as(Role.NURSE).get(f"/episodes/{episode.pk}/assessments/new/").content.decode()
    assert re.search(r'<input type="number" name="heart_rate"[^>]*data-after-items', page)
    assert page.count("data-after-items") == 1


def test_the_trend_draws_every_vital_charted(client_as, staff, episode):
    chart(staff, episode, CHARTED_VITALS)
    chart(staff, episode, {**CHARTED_VITALS, "sedation": "S", "spo2": 95}, T0 + dt.timedelta(hours=4))
    page = client_as(Role.NURSE).get(f"/patients/{episode.patient_id}/").content.decode()
    captions = re.findall(r"<figcaption>([^<]+)</figcaption>", page)
    assert captions == ["COWS total", *VITAL_CHARTS]
    assert "<title>Temperature 37.2 °C at" in page
    assert "<title>Pain 4 of 10 at" in page
    assert "<title>Sedation S at" in page
    assert "<title>Diastolic BP 88 at" in page
    assert "SpO2: 2 readings, latest 95 % at" in page


def test_a_chart_is_drawn_only_for_vitals_that_were_taken(client_as, staff, episode):
    chart(staff, episode, {"heart_rate": 92})
    page = client_as(Role.NURSE).get(f"/patients/{episode.patient_id}/").content.decode()
    captions = re.findall(r"<figcaption>([^<]+)</figcaption>", page)
    assert captions == ["COWS total", "Heart rate (/min) and blood pressure (mmHg)"]
    legend = page[page.index('<ul class="trend-legend"', page.index("Heart rate (/min) and")) :]
    assert legend[: legend.index("</ul>")].count("<li>") == 1  # heart rate only: no empty BP entries
