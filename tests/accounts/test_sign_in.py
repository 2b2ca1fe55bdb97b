"""Sign-in: login required everywhere, wrong passwords counted, lockout, every attempt audited."""

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.settings import base

PASSWORD = "correct horse battery"


def sign_in(client, username, password):
    return client.post("/sign-in/", {"username": username, "password": password})


@pytest.mark.parametrize("path", ["/", "/units/1/census/", "/patients/1/", "/audit/", "/api/docs"])
def test_pages_send_strangers_to_sign_in(db, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_api_answers_strangers_with_401_json(db):
    response = Client().get("/api/patients")
    assert response.status_code == 401
    assert response.json() == {"field": None, "message": "Sign in first."}


def test_right_password_signs_in_and_is_audited(staff):
    client = Client()
    response = sign_in(client, "nora", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="login", user_name="nora", outcome="success").exists()


def test_wrong_password_shows_a_message_on_the_password_field(staff):
    response = sign_in(Client(), "nora", "nope")
    assert response.status_code == 200
    assert response.context["form"].errors == {"password": ["The username or password is not right."]}
    assert AuditEvent.objects.filter(action="login", user_name="nora", outcome="denied").exists()


def test_unknown_username_gets_the_same_message(db):
    response = sign_in(Client(), "nobody", "whatever")
    assert response.context["form"].errors == {"password": ["The username or password is not right."]}


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_LOCKOUT_MINUTES=15)
def test_account_locks_after_the_limit_even_for_the_right_password(staff):
    start = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            sign_in(Client(), "nora", "wrong")
        response = sign_in(Client(), "nora", PASSWORD)
        assert "locked" in response.context["form"].errors["username"][0]
        assert "15 minutes" in response.context["form"].errors["username"][0]
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert sign_in(Client(), "nora", PASSWORD).status_code == 302
    staff[Role.NURSE].refresh_from_db()
    assert staff[Role.NURSE].failed_login_count == 0


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_success_resets_the_failure_count(staff):
    for _ in range(2):
        sign_in(Client(), "nora", "wrong")
    sign_in(Client(), "nora", PASSWORD)
    for _ in range(2):
        sign_in(Client(), "nora", "wrong")
    assert sign_in(Client(), "nora", PASSWORD).status_code == 302


def test_passwords_are_hashed_with_argon2_in_production_settings():
    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
