"""The public get-help page: open to all, stores only the request, answers bad input, rate-limited."""

import pytest
from django.test import Client, override_settings

from detoxflow.admissions.models import CallbackRequest
from detoxflow.audit.models import AuditEvent

VALID = {"name": "Sky", "phone": "555-0123", "best_time": "evening", "message": "Please call after 6"}


@pytest.fixture
def public(facility, patient):
    facility.admissions_phone = "555-0100"
    facility.save()
    return Client()


def test_page_is_public_and_lists_the_numbers(public, facility, patient):
    page = public.get(f"/get-help/{facility.code}/").content.decode()
    for text in ("555-0100", "988", "1-800-662-4357", "call 911 now", "Why not stop alone at home?"):
        assert text in page
    assert patient.family_name not in page


def test_the_index_goes_straight_to_the_only_program(public, facility):
    assert public.get("/get-help/")["Location"] == f"/get-help/{facility.code}/"


def test_a_request_lands_in_the_queue_without_the_address(public, facility):
    response = public.post(f"/get-help/{facility.code}/", VALID, REMOTE_ADDR="203.0.113.9")
    assert response["Location"] == f"/get-help/{facility.code}/thanks/"
    callback = CallbackRequest.objects.get()
    assert (callback.name, callback.phone, callback.best_time, callback.status) == ("Sky", "555-0123", "evening", "new")
    event = AuditEvent.objects.get(action="callback.request")
    assert event.client_address is None
    assert "Sky" not in public.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"phone": "call me"}, "phone", "at least 7 digits"),
        ({"phone": ""}, "phone", "We need a phone number"),
        ({"name": ""}, "name", "a first name or a nickname is fine"),
        ({"message": "x" * 501}, "message", "at most 500 characters"),
    ],
    ids=["not-a-number", "no-phone", "no-name", "long-message"],
)
def test_bad_input_is_named_and_nothing_is_saved(public, facility, change, field, message):
    response = public.post(f"/get-help/{facility.code}/", {**VALID, **change})
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert not CallbackRequest.objects.exists()


def test_a_bot_filling_the_hidden_field_is_thanked_and_ignored(public, facility):
    response = public.post(f"/get-help/{facility.code}/", {**VALID, "website": "http://spam.example"})
    assert response.status_code == 302
    assert not CallbackRequest.objects.exists()


@override_settings(GET_HELP_REQUESTS_PER_HOUR=2)
def test_requests_beyond_the_hourly_limit_are_refused_with_a_way_forward(public, facility):
    for _ in range(2):
        public.post(f"/get-help/{facility.code}/", VALID)
    response = public.post(f"/get-help/{facility.code}/", VALID)
    assert response.status_code == 429
    assert "Please call us instead" in response.content.decode()
    assert CallbackRequest.objects.count() == 2


def test_unknown_program_is_404(public):
    assert public.get("/get-help/nowhere/").status_code == 404
