"""The override is the physician's, the dose is the nurse's: an authorisation on the order, used once or in a window."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import time_machine

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.errors import InvalidInput
from detoxflow.medications import services
from detoxflow.medications.models import ControlledLedgerEntry, MedicationAdministration, SafetyOverride
from detoxflow.medications.services import HARD_STOPS, SafetyStop
from tests.medications.test_mar import bup_order, chart, give

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
SAFETY = Path(__file__).resolve().parents[2] / "detoxflow" / "clinical" / "safety.py"
# Rule ids the dose check only ever warns with; every other rule id it emits is a hard stop.
WARNINGS_ONLY = {"daily-warn", "duplicate-opioid-agonist", "duplicate-therapy", "opioid-benzodiazepine", "pregnancy"}


def authorise(staff, order, at, *, scope="next_dose", until=None, rule_ids=None, reason="COWS 12 charted on paper"):
    return services.authorise_override(
        staff[Role.PHYSICIAN],
        order.pk,
        reason=reason,
        scope=scope,
        until=until,
        rule_ids=rule_ids,
        now=at,
        address=None,
    )


def test_every_hard_stop_of_the_dose_check_has_words_a_physician_can_name():
    emitted = set(re.findall(r'Finding\(\s*"([a-z0-9-]+)"', SAFETY.read_text()))
    assert emitted - WARNINGS_ONLY == set(HARD_STOPS)


def test_the_record_keeps_the_nurse_as_giver_and_the_physician_as_the_one_who_authorised(staff, episode):
    order = bup_order(staff, episode)
    override = authorise(staff, order, T0)
    assert set(override.rule_ids) == {"cows-required", "induction-cows", "sedation-check"}
    assert override.valid_until == T0 + 2 * H
    dose = give(staff, order, T0 + 5 * MINUTE)
    assert dose.by_name == staff[Role.NURSE].display_name
    assert (dose.override, dose.override_by_name) == (override, staff[Role.PHYSICIAN].display_name)
    entry = ControlledLedgerEntry.objects.get(administration=dose)
    assert entry.by_name == staff[Role.NURSE].display_name  # dispensed by the nurse who gave it
    assert entry.note == f"Hard stop override authorised by {staff[Role.PHYSICIAN].display_name}"
    event = AuditEvent.objects.get(action="override.authorise")
    assert (event.user_name, event.detail["rule_ids"]) == (staff[Role.PHYSICIAN].username, override.rule_ids)


def test_a_next_dose_authorisation_lets_one_dose_through_and_no_more(staff, episode):
    order = bup_order(staff, episode)
    authorise(staff, order, T0)
    give(staff, order, T0 + 5 * MINUTE)
    with pytest.raises(SafetyStop, match="A physician can authorise an override") as stopped:
        give(staff, order, T0 + 3 * H)  # still no COWS: the stop stands again
    assert {s["rule_id"] for s in stopped.value.stops} == {"cows-required", "sedation-check"}
    assert SafetyOverride.objects.get().used_at == T0 + 5 * MINUTE


def test_a_next_dose_authorisation_not_used_lapses(staff, episode):
    order = bup_order(staff, episode)
    authorise(staff, order, T0)
    with pytest.raises(SafetyStop):
        give(staff, order, T0 + 2 * H)
    assert not MedicationAdministration.objects.exists()


def test_a_held_dose_does_not_spend_the_authorisation(staff, episode):
    order = bup_order(staff, episode)
    authorise(staff, order, T0)
    give(staff, order, T0 + MINUTE, status="held", reason="asleep")
    assert give(staff, order, T0 + 10 * MINUTE).override is not None


def test_a_window_covers_every_dose_until_its_end_and_none_after(staff, episode):
    order = bup_order(staff, episode)
    chart(staff, episode, T0 - 10 * MINUTE)
    give(staff, order, T0)
    chart(staff, episode, T0 + 50 * MINUTE)
    with pytest.raises(SafetyStop, match="the order allows one every 120 min"):
        give(staff, order, T0 + H)
    authorise(staff, order, T0 + H, scope="until", until=T0 + 4 * H, reason="Severe withdrawal, hourly dosing today")
    assert give(staff, order, T0 + H).override_by_name == staff[Role.PHYSICIAN].display_name
    chart(staff, episode, T0 + 140 * MINUTE)
    assert give(staff, order, T0 + 150 * MINUTE).override is not None
    chart(staff, episode, T0 + 4 * H)
    with pytest.raises(SafetyStop, match="next from"):
        give(staff, order, T0 + 4 * H + 5 * MINUTE)


def test_an_authorisation_covers_only_the_stops_it_names(staff, episode):
    order = bup_order(staff, episode)
    authorise(staff, order, T0, rule_ids=["too-soon"])
    with pytest.raises(SafetyStop) as stopped:
        give(staff, order, T0 + MINUTE)
    assert "does not cover it; a physician must review" in stopped.value.message
    assert {s["rule_id"] for s in stopped.value.stops} == {"cows-required", "induction-cows", "sedation-check"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"scope": "forever"}, "scope"),
        ({"scope": "until"}, "until"),
        ({"scope": "until", "until": T0 - MINUTE}, "until"),
        ({"scope": "until", "until": T0 + 25 * H}, "until"),
        ({"rule_ids": ["made-up"]}, "rule_ids"),
    ],
    ids=["no-reason", "unknown-scope", "window-without-end", "window-ended", "window-over-24h", "unknown-rule"],
)
def test_an_authorisation_names_what_is_wrong_and_saves_nothing(staff, episode, changes, field):
    order = bup_order(staff, episode)
    args = {"reason": "x", "scope": "next_dose", "until": None, "rule_ids": None, **changes}
    with pytest.raises(InvalidInput) as refused:
        services.authorise_override(staff[Role.PHYSICIAN], order.pk, now=T0, address=None, **args)
    assert refused.value.field == field
    assert not SafetyOverride.objects.exists()


def test_nothing_to_override_when_no_hard_stop_stands(staff, episode):
    order = bup_order(staff, episode)
    chart(staff, episode, T0 - 10 * MINUTE)
    with pytest.raises(InvalidInput, match="nothing to override"):
        authorise(staff, order, T0)


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_physician_authorises_then_nurse_records_and_a_spent_authorisation_answers_409(client_as, staff, episode):
    order = bup_order(staff, episode)
    with time_machine.travel(T0, tick=False):
        refused = post_json(client_as(Role.NURSE), f"/api/orders/{order.pk}/overrides", {"reason": "x"})
        assert refused.status_code == 403
        created = post_json(client_as(Role.PHYSICIAN), f"/api/orders/{order.pk}/overrides", {"reason": "On paper"})
        assert created.status_code == 201
        assert created.json()["authorised_by_name"] == staff[Role.PHYSICIAN].display_name
        assert {s["rule_id"] for s in created.json()["hard_stops"]} == {
            "cows-required",
            "induction-cows",
            "sedation-check",
        }
        given = post_json(client_as(Role.NURSE), f"/api/orders/{order.pk}/administrations", {"status": "given"})
    assert given.status_code == 201
    body = given.json()
    assert (body["by_name"], body["override_by_name"]) == (
        staff[Role.NURSE].display_name,
        staff[Role.PHYSICIAN].display_name,
    )
    with time_machine.travel(T0 + 3 * H, tick=False):
        again = post_json(client_as(Role.NURSE), f"/api/orders/{order.pk}/administrations", {"status": "given"})
        listed = client_as(Role.NURSE).get(f"/api/orders/{order.pk}/overrides").json()
    assert again.status_code == 409
    assert {s["rule_id"] for s in again.json()["hard_stops"]} == {"cows-required", "sedation-check"}
    assert [o["used_at"] is not None for o in listed] == [True]


def test_api_window_needs_its_end(client_as, staff, episode):
    order = bup_order(staff, episode)
    answer = post_json(
        client_as(Role.PHYSICIAN), f"/api/orders/{order.pk}/overrides", {"reason": "x", "scope": "until"}
    )
    assert (answer.status_code, answer.json()["field"]) == (400, "until")


def test_the_physician_authorises_on_the_mar_and_the_nurse_sees_who_and_why(client_as, staff, episode):
    order = bup_order(staff, episode)
    physician = client_as(Role.PHYSICIAN)
    with time_machine.travel(T0, tick=False):
        page = physician.get(f"/episodes/{episode.pk}/medications/").content.decode()
        assert "Authorise an override" in page
        assert 'name="rule_ids" value="cows-required"' in page
        missing = physician.post(f"/medications/orders/{order.pk}/override/", {"scope": "next_dose"})
        assert missing.status_code == 400
        assert not SafetyOverride.objects.exists()
        done = physician.post(
            f"/medications/orders/{order.pk}/override/",
            {
                "rule_ids": ["cows-required", "induction-cows", "sedation-check"],
                "scope": "next_dose",
                "reason": "COWS 12 on paper",
            },
        )
        assert done.status_code == 302
        nurse_page = client_as(Role.NURSE).get(f"/episodes/{episode.pk}/medications/").content.decode()
    assert f"Override authorised by {staff[Role.PHYSICIAN].display_name}" in nurse_page
    assert "Ready: override by" in nurse_page
    assert client_as(Role.NURSE).post(f"/medications/orders/{order.pk}/override/", {}).status_code == 403
