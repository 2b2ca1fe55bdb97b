"""Two-step sign-in with time-based one-time codes (RFC 6238)."""

import base64
import time

import pytest
from django.test import Client, override_settings

from detoxflow.accounts import totp
from detoxflow.accounts.permissions import Role

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [(59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924"), (2000000000, "69279037")],
    ids=["t59", "t1111111109", "t1234567890", "t2000000000"],
)
def test_rfc_6238_sha1_vectors(unix_time, code):
    assert totp.code_at(RFC_SECRET, unix_time, digits=8) == code


def test_a_code_from_the_neighbouring_step_is_accepted_but_not_older():
    secret = totp.new_secret()
    now = 1_800_000_000.0
    assert totp.verify(secret, totp.code_at(secret, now - 30), now)
    assert not totp.verify(secret, totp.code_at(secret, now - 90), now)
    assert not totp.verify(secret, "12ab56", now)


@pytest.fixture
def nurse_with_code(staff):
    nurse = staff[Role.NURSE]
    nurse.totp_secret = totp.new_secret()
    nurse.totp_enabled = True
    nurse.save()
    return nurse


def test_sign_in_waits_for_the_code(nurse_with_code):
    client = Client()
    response = client.post("/sign-in/", {"username": "nora", "password": "correct horse battery"})
    assert response["Location"] == "/sign-in/code/"
    assert client.get("/")["Location"].startswith("/sign-in/")  # not signed in yet
    wrong = client.post("/sign-in/code/", {"code": "000000"})
    assert "not right" in wrong.context["form"].errors["code"][0]
    nurse_with_code.refresh_from_db()
    assert nurse_with_code.failed_login_count == 1
    client.post("/sign-in/code/", {"code": totp.code_at(nurse_with_code.totp_secret, time.time())})
    assert client.get("/").status_code == 200


def test_setting_up_two_step_sign_in(client_as, staff):
    nurse = client_as(Role.NURSE)
    page = nurse.get("/account/two-factor/")
    secret = page.context["secret"]
    assert page.context["uri"].startswith("otpauth://totp/DetoxFlow%3Anora?secret=")
    nurse.post("/account/two-factor/", {"code": totp.code_at(secret, time.time())})
    staff[Role.NURSE].refresh_from_db()
    assert staff[Role.NURSE].totp_enabled


@override_settings(REQUIRE_TOTP=True)
def test_when_required_clinical_users_must_set_it_up_first(client_as):
    assert client_as(Role.NURSE).get("/")["Location"] == "/account/two-factor/"
    assert client_as(Role.ADMINISTRATOR).get("/").status_code == 200
