"""Sign-in: login required everywhere, wrong passwords counted, lockout, every attempt audited."""

import datetime as dt
import os
import subprocess
import sys

import pytest
import time_machine
from axes.models import AccessAttempt
from django.db import connection
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


@override_settings(AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=dt.timedelta(minutes=15))
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
    assert not AccessAttempt.objects.filter(username="nora", failures_since_start__gt=0).exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_success_resets_the_failure_count(staff):
    for _ in range(2):
        sign_in(Client(), "nora", "wrong")
    sign_in(Client(), "nora", PASSWORD)
    for _ in range(2):
        sign_in(Client(), "nora", "wrong")
    assert sign_in(Client(), "nora", PASSWORD).status_code == 302


def test_passwords_are_hashed_with_argon2_in_production_settings():
    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_the_default_lockout_holds_six_failures_for_one_account(staff):
    for _ in range(6):
        sign_in(Client(), "nora", "wrong")
    response = sign_in(Client(), "nora", PASSWORD)
    assert "locked" in response.context["form"].errors["username"][0]


def test_a_hundred_successful_sign_ins_from_one_address_all_succeed(staff):
    # A shift change behind one hospital address: successes never count toward any limit.
    for _ in range(100):
        assert sign_in(Client(REMOTE_ADDR="10.1.2.3"), "nora", PASSWORD).status_code == 302


@override_settings(LOGIN_FAILURES_PER_ADDRESS=3, AXES_FAILURE_LIMIT=50)
def test_failures_from_one_address_across_accounts_are_limited(staff):
    for name in ("ines", "phil", "cora"):
        sign_in(Client(REMOTE_ADDR="10.9.9.9"), name, "guess")
    refused = sign_in(Client(REMOTE_ADDR="10.9.9.9"), "nora", PASSWORD)
    assert "Too many failed sign-ins from this connection" in refused.context["form"].errors["username"][0]
    assert sign_in(Client(REMOTE_ADDR="10.9.9.10"), "nora", PASSWORD).status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=0, LOGIN_FAILURES_PER_ADDRESS=3, AXES_FAILURE_LIMIT=50)
def test_a_forged_forwarded_for_header_is_not_believed_without_a_trusted_proxy(staff):
    for n in range(3):
        Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").post(
            "/sign-in/", {"username": "ines", "password": "guess"}
        )
    refused = Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="192.0.2.77").post(
        "/sign-in/", {"username": "nora", "password": PASSWORD}
    )
    assert refused.status_code == 200  # rotating the header did not escape the per-address count


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_FAILURES_PER_ADDRESS=3, AXES_FAILURE_LIMIT=50)
def test_behind_one_trusted_proxy_the_address_it_saw_is_used(staff):
    # The proxy (10.0.0.1) appends the client's address; whatever the client wrote before it is ignored.
    for n in range(3):
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7").post(
            "/sign-in/", {"username": "ines", "password": "guess"}
        )
    blocked = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert blocked.post("/sign-in/", {"username": "nora", "password": PASSWORD}).status_code == 200
    other = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.post("/sign-in/", {"username": "nora", "password": PASSWORD}).status_code == 302


def test_there_is_no_django_admin_door(staff):
    assert Client().get("/admin/").status_code in (302, 404)
    assert Client().post("/admin/login/", {"username": "nora", "password": PASSWORD}).status_code in (302, 404)
    signed_in = Client()
    signed_in.force_login(staff[Role.ADMINISTRATOR])
    assert signed_in.get("/admin/").status_code == 404


SECOND_WORKER = """
import django, os, sys
django.setup()
from django.test import RequestFactory
from detoxflow.accounts.authentication import SignInRefused, check_password
for _ in range(int(sys.argv[1])):
    request = RequestFactory().post("/sign-in/", REMOTE_ADDR="10.7.7.7")
    try:
        check_password(request, "nora", "wrong")
    except SignInRefused:
        pass
"""


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_lockout_is_shared_by_every_worker_process(staff):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database a second process can open, which only the PostgreSQL run has")
    # Another process (a second gunicorn worker, say) fails five times against the same database ...
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "detoxflow.settings.test"}
    subprocess.run(  # noqa: S603  (this interpreter running the script above)
        [sys.executable, "-c", SECOND_WORKER, str(base.LOGIN_FAILURE_LIMIT)], env=env, check=True
    )
    # ... and this process refuses the right password.
    response = sign_in(Client(), "nora", PASSWORD)
    assert "locked" in response.context["form"].errors["username"][0]
