"""A scheduled order's due doses through the API: listed exactly, recorded against, then gone from the list."""

import datetime as dt

from detoxflow.accounts.permissions import Role
from detoxflow.medications.models import MedicationAdministration, MedicationRequest


def sign_lofexidine(client, episode):
    response = client.post(
        f"/api/episodes/{episode.pk}/orders", {"protocol": "alpha2_lofexidine"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()[0]


def test_the_schedule_lists_open_slots_that_a_dose_can_be_recorded_against(client_as, episode):
    physician, nurse = client_as(Role.PHYSICIAN), client_as(Role.NURSE)
    order = sign_lofexidine(physician, episode)
    stored = MedicationRequest.objects.get(pk=order["id"])
    # Exact to the microsecond: the due time counts from the moment of signing.
    assert dt.datetime.fromisoformat(order["starts_at"]) == stored.starts_at
    schedule = nurse.get(f"/api/orders/{order['id']}/schedule").json()
    assert (schedule["kind"], schedule["every_minutes"]) == ("scheduled", 300)
    first = schedule["open_slots"][0]
    assert first["state"] == "due"
    assert dt.datetime.fromisoformat(first["due_at"]) == stored.starts_at
    recorded = nurse.post(
        f"/api/orders/{order['id']}/administrations",
        {"status": "held", "due_at": first["due_at"], "reason": "asleep; BP 88/54"},
        content_type="application/json",
    )
    assert recorded.status_code == 201, recorded.content
    assert MedicationAdministration.objects.get().due_at == stored.starts_at
    again = nurse.get(f"/api/orders/{order['id']}/schedule").json()
    assert first["due_at"] not in [slot["due_at"] for slot in again["open_slots"]]


def test_a_due_time_that_is_not_a_slot_is_refused_by_name(client_as, episode):
    physician, nurse = client_as(Role.PHYSICIAN), client_as(Role.NURSE)
    order = sign_lofexidine(physician, episode)
    off = dt.datetime.fromisoformat(order["starts_at"]) + dt.timedelta(milliseconds=1)
    response = nurse.post(
        f"/api/orders/{order['id']}/administrations",
        {"status": "held", "due_at": off.isoformat(), "reason": "asleep"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "due_at"
