"""Security headers, idle sign-out and sign-in rate limiting (issue 7, hardened HTTP)."""

import datetime as dt
import json

import time_machine
from django.test import Client, override_settings

from detoxflow.accounts.permissions import Role
from detoxflow.web.middleware import CONTENT_SECURITY_POLICY


def test_every_page_forbids_inline_scripts(client_as, facility):
    response = client_as(Role.NURSE).get("/")
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert Client().get(f"/get-help/{facility.code}/")["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "<script>" not in client_as(Role.NURSE).get("/").content.decode()


@override_settings(SESSION_IDLE_MINUTES=30)
def test_an_idle_session_signs_itself_out(staff):
    client = Client()
    start = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.post("/sign-in/", {"username": "nora", "password": "correct horse battery"})
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=60), tick=False):
        response = client.get("/beds/")
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=/beds/")
        assert client.get("/").status_code == 302


@override_settings(SESSION_IDLE_MINUTES=30)
def test_after_idle_sign_out_the_api_answers_401_json(client_as):
    client = client_as(Role.NURSE)
    start = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        assert client.get("/api/patients").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        response = client.get("/api/patients")
        assert response.status_code == 401
        assert response.json() == {"field": None, "message": "Sign in first."}


def test_nul_characters_are_refused_at_the_door_naming_the_field(client_as, patient):
    physician = client_as(Role.PHYSICIAN)
    fhir = physician.get("/fhir/Patient", {"identifier": "SYN\x00"})
    assert (fhir.status_code, fhir.json()["issue"][0]["expression"]) == (400, ["identifier"])
    api = physician.get("/api/patients", {"q": "a\x00b"})
    assert (api.status_code, api.json()["field"]) == (400, "q")
    body = {"resourceType": "Bundle", "type": "batch", "entry": [{"resource": {"name": [{"family": "x\u0000"}]}}]}
    posted = physician.post("/fhir", data=json.dumps(body), content_type="application/fhir+json")
    assert (posted.status_code, posted.json()["issue"][0]["expression"]) == (400, ["body"])
    form = physician.post(f"/patients/{patient.pk}/edit/", {"given_name": "Al\x00ex"})
    assert form.status_code == 400
    assert b"given_name contains a NUL character" in form.content
    patient.refresh_from_db()
    assert patient.given_name == "Alex"
    assert physician.get("/fhir/Patient", {"identifier": "SYN-000001"}).status_code == 200
