"""The medication round as nurses read it: facts beside every order, calm readiness, a time-slot record of the shift."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from detoxflow.accounts.permissions import Role
from detoxflow.clinical.safety import Finding, Observation, Verdict
from detoxflow.clinical.schedule import PUBLISHED_DOSE_TIMING
from detoxflow.medications import services
from detoxflow.medications.models import MedicationAdministration
from detoxflow.medications.queries import mar_for_episode, readiness, round_for_unit, shift_around
from tests.builders import stabilized_episode
from tests.factories import PatientFactory
from tests.medications.test_mar import bup_order, chart, give, scheduled_ondansetron

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


def verdict(*rule_ids):
    return Verdict(hard_stops=tuple(Finding(r, r, "test") for r in rule_ids), warnings=())


FRESH = Observation(at=T0 - 10 * MINUTE, cows=6)
STALE = Observation(at=T0 - 3 * H, cows=14)


@pytest.mark.parametrize(
    ("stops", "latest", "next_from", "expected"),
    [
        ((), None, None, ("ready", "Ready")),
        (("cows-required", "induction-cows"), None, None, ("needs_observation", "Needs a COWS first")),
        (("cows-required",), STALE, None, ("needs_observation", "Needs a COWS first")),
        (("sedation-check",), FRESH, None, ("needs_observation", "Needs vitals first")),
        (("too-soon",), FRESH, T0 + 30 * MINUTE, ("wait", "Not before 14:30")),
        (("cows-below-trigger",), FRESH, None, ("not_indicated", "Not indicated now (COWS 6)")),
        (("alpha2-hold",), FRESH, None, ("hold", "Hold: see the vitals")),
        (("daily-max",), FRESH, None, ("limit", "24-hour maximum reached")),
        (("allergy",), FRESH, None, ("review", "Needs a physician's review")),
    ],
    ids=["ready", "no-cows", "stale-cows", "no-vitals", "too-soon", "below-trigger", "hold", "daily-max", "allergy"],
)
def test_readiness_says_what_would_let_the_next_dose_through(stops, latest, next_from, expected, settings):
    settings.TIME_ZONE = "UTC"
    found = readiness(verdict(*stops), latest=latest, next_from=next_from, override=None, now=T0, fresh_minutes=60)
    assert (found.state, found.words) == expected


def test_beside_every_order_the_last_dose_the_24_hour_total_the_last_cows_and_the_next_dose(staff, episode):
    order = bup_order(staff, episode)
    chart(staff, episode, T0 - 10 * MINUTE)
    give(staff, order, T0)
    (line,) = mar_for_episode(episode, T0 + 30 * MINUTE)
    assert line.last_dose is not None
    assert (line.last_dose.dose_mg, line.last_dose.by_name) == (4, staff[Role.NURSE].display_name)
    assert (line.given_24h, line.order.daily_max_mg) == (4, 16)
    assert line.latest is not None
    assert line.latest.cows == 10
    assert line.next_from == T0 + 2 * H
    assert line.readiness.state == "wait"


def test_the_mar_page_shows_the_facts_beside_the_order(client_as, staff, episode):
    order = bup_order(staff, episode)
    chart(staff, episode, T0 - 10 * MINUTE)
    give(staff, order, T0)
    with time_machine.travel(T0 + 30 * MINUTE, tick=False):
        page = client_as(Role.NURSE).get(f"/episodes/{episode.pk}/medications/").content.decode()
    local = timezone.localtime(T0 + 2 * H)
    assert "<dt>24 hours</dt><dd>4 of 16 mg</dd>" in page
    assert "<dt>Last COWS</dt><dd>10," in page
    assert f"Not before {local:%H:%M}" in page


def test_the_shift_is_the_eight_hours_a_moment_falls_in(settings):
    settings.TIME_ZONE = "UTC"
    start, end = shift_around(dt.datetime(2026, 11, 20, 2, 30, tzinfo=dt.UTC))
    assert (start.hour, start.day, end.hour, end.day) == (23, 19, 7, 20)
    start, end = shift_around(T0)
    assert (start.hour, end.hour) == (7, 15)


def test_the_round_puts_scheduled_doses_in_their_slots_and_as_needed_doses_where_given(staff, episode, settings):
    settings.TIME_ZONE = "UTC"
    ondansetron = services.sign_order(
        staff[Role.PHYSICIAN],
        episode,
        {
            "medicine_code": "ondansetron",
            "kind": "scheduled",
            "dose_mg": Decimal(4),
            "min_interval_minutes": 120,
            "single_dose_max_mg": Decimal(8),
            "daily_max_mg": Decimal(24),
        },
        built_from="Written by hand",
        starts_at=T0.replace(hour=7),
        now=T0.replace(hour=7),
        address=None,
    )
    bup = bup_order(staff, episode)
    give(staff, ondansetron, T0.replace(hour=7, minute=5), due_at=T0.replace(hour=7))
    give(staff, ondansetron, T0.replace(hour=9, minute=10), due_at=T0.replace(hour=9), status="held", reason="asleep")
    chart(staff, episode, T0 - 10 * MINUTE)
    give(staff, bup, T0)
    now = T0 + 45 * MINUTE  # 14:45: the 11:00 slot missed, 13:00 late, 15:00 in the next hour
    hours, rows = round_for_unit([episode], now, T0.replace(hour=7), PUBLISHED_DOSE_TIMING)
    assert [h.hour for h in hours] == list(range(7, 15))
    by_order = {row.line.order.pk: row for row in rows}
    marks = {hour.hour: [m.state for m in ms] for hour, ms in by_order[ondansetron.pk].cells if ms}
    assert marks == {7: ["given"], 9: ["held"], 11: ["missed"], 13: ["late"]}
    bup_marks = {hour.hour: [m.state for m in ms] for hour, ms in by_order[bup.pk].cells if ms}
    assert bup_marks == {14: ["given"]}
    assert by_order[bup.pk].line.readiness.words == "Not before 16:00"


def test_the_round_page_is_calm_and_records_a_due_dose_from_its_slot(client_as, staff, episode):
    order = scheduled_ondansetron(staff, episode)  # every 8 h from 14:00
    nurse = client_as(Role.NURSE)
    with time_machine.travel(T0 + 10 * MINUTE, tick=False):
        page = nurse.get(f"/units/{episode.unit_id}/mar/").content.decode()
        assert "Hard stop" not in page
        assert 'class="mark mark-due"' in page
        response = nurse.post(
            f"/medications/orders/{order.pk}/administer/",
            {"status": "given", "due_at": T0.isoformat(), "return_to": "round"},
        )
    assert response["Location"] == f"/units/{episode.unit_id}/mar/"
    dose = MedicationAdministration.objects.get()
    assert (dose.due_at, dose.status, dose.by_name) == (T0, "given", staff[Role.NURSE].display_name)


def test_a_hard_stop_shows_on_the_round_only_when_someone_tries(client_as, staff, episode):
    order = bup_order(staff, episode)
    with time_machine.travel(T0, tick=False):
        response = client_as(Role.NURSE).post(
            f"/medications/orders/{order.pk}/administer/", {"status": "given", "return_to": "round"}
        )
    assert response.status_code == 409
    assert response.templates[0].name == "medications/unit_mar.html"
    assert "Hard stop: No COWS in the last 60 min" in response.content.decode()
    assert not MedicationAdministration.objects.exists()


def test_another_shift_is_shown_by_its_start(client_as, staff, episode):
    bup_order(staff, episode)
    with time_machine.travel(T0, tick=False):
        response = client_as(Role.NURSE).get(f"/units/{episode.unit_id}/mar/?shift=2026-11-19T23:30")
        garbage = client_as(Role.NURSE).get(f"/units/{episode.unit_id}/mar/?shift=yesterday")
    assert timezone.localtime(response.context["shift_start"]).strftime("%d %H") == "19 23"
    assert garbage.status_code == 200
    assert garbage.context["this_shift"]


def test_the_round_reads_nine_queries_a_patient_whatever_the_doses(
    staff, episode, beds, django_assert_num_queries, settings
):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(T0 - 2 * H, tick=False):
        second = stabilized_episode(
            staff[Role.PHYSICIAN],
            PatientFactory(facility=episode.facility),
            beds[1],
            timezone.now(),
            last_heroin=T0 - 14 * H,
        )
    for each in (episode, second):
        order = bup_order(staff, each)
        scheduled_ondansetron(staff, each)
        chart(staff, each, T0 - 10 * MINUTE)
        give(staff, order, T0)
    with django_assert_num_queries(18):
        _, rows = round_for_unit([episode, second], T0 + H, T0.replace(hour=7), PUBLISHED_DOSE_TIMING)
    assert len(rows) == 4


def test_stopping_an_order_asks_for_a_reason_on_its_own_confirm_step(client_as, staff, episode):
    order = bup_order(staff, episode)
    physician = client_as(Role.PHYSICIAN)
    confirm = physician.get(f"/medications/orders/{order.pk}/stop/")
    assert confirm.status_code == 200
    assert "Stop this order?" in confirm.content.decode()
    order.refresh_from_db()
    assert order.stopped_at is None  # asking is not stopping
    empty = physician.post(f"/medications/orders/{order.pk}/stop/", {"reason": " "})
    assert empty.status_code == 400
    assert "Say why the order is stopped" in empty.content.decode()
    done = physician.post(f"/medications/orders/{order.pk}/stop/", {"reason": "Switched to methadone"})
    assert done["Location"] == f"/episodes/{episode.pk}/medications/"
    order.refresh_from_db()
    assert (order.stop_reason, order.stopped_by_name) == ("Switched to methadone", staff[Role.PHYSICIAN].display_name)
    assert client_as(Role.NURSE).get(f"/medications/orders/{order.pk}/stop/").status_code == 403


def test_taper_choices_read_as_words_not_codes(client_as, staff, episode):
    bup_order(staff, episode)
    page = client_as(Role.PHYSICIAN).get(f"/episodes/{episode.pk}/taper/").content.decode()
    assert "Buprenorphine SL tablet 4 mg · COWS-triggered" in page
    assert "(symptom_triggered)" not in page
    assert "Linear: the same milligrams off at each step" in page
