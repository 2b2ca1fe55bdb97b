"""Two-step sign-in with django-otp: authenticator codes, backup codes, replay, and the shared lockout."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from detoxflow.accounts.permissions import Role

PASSWORD = "correct horse battery"


def current_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def other_code(device):
    return f"{(int(current_code(device)) + 1) % 10**6:06d}"


@pytest.fixture
def device(staff):
    return TOTPDevice.objects.create(user=staff[Role.NURSE], name="Authenticator app", confirmed=True)


def password_step(client=None):
    client = client or Client()
    response = client.post("/sign-in/", {"username": "nora", "password": PASSWORD})
    assert response["Location"] == "/sign-in/code/"
    return client


def failures(username="nora"):
    return sum(a.failures_since_start for a in AccessAttempt.objects.filter(username=username))


def test_sign_in_waits_for_the_code_and_a_wrong_code_counts_toward_the_lockout(device):
    client = password_step()
    assert client.get("/")["Location"].startswith("/sign-in/")  # not signed in yet
    wrong = client.post("/sign-in/code/", {"code": other_code(device)})
    assert "not right" in wrong.context["form"].errors["code"][0]
    assert failures() == 1
    client.post("/sign-in/code/", {"code": current_code(device)})
    assert client.get("/").status_code == 200
    assert failures() == 0  # a completed sign-in resets the count


def test_the_same_code_is_accepted_only_once(device):
    code = current_code(device)
    first = password_step()
    first.post("/sign-in/code/", {"code": code})
    assert first.get("/").status_code == 200
    second = password_step()
    replay = second.post("/sign-in/code/", {"code": code})
    assert replay.status_code == 400
    assert second.get("/").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_locked_account_is_refused_even_with_the_right_code(device):
    client = password_step()
    for _ in range(3):
        client.post("/sign-in/code/", {"code": other_code(device)})
    response = client.post("/sign-in/code/", {"code": current_code(device)})
    assert "locked" in response.context["form"].errors["code"][0]
    assert client.get("/").status_code == 302
    # The password step refuses it as well.
    refused = Client().post("/sign-in/", {"username": "nora", "password": PASSWORD})
    assert "locked" in refused.context["form"].errors["username"][0]


@override_settings(LOGIN_FAILURES_PER_ADDRESS=3, AXES_FAILURE_LIMIT=50)
def test_codes_are_limited_per_address_too(device):
    client = password_step()
    for _ in range(3):
        client.post("/sign-in/code/", {"code": other_code(device)})
    response = client.post("/sign-in/code/", {"code": current_code(device)})
    assert "Too many failed sign-ins from this connection" in response.context["form"].errors["code"][0]


def test_a_backup_code_signs_in_once(client_as, device, staff):
    nurse = client_as(Role.NURSE)
    page = nurse.post("/account/two-factor/", {"action": "backup-codes"})
    codes = page.context["backup_codes"]
    assert len(codes) == 10
    assert StaticDevice.objects.get(user=staff[Role.NURSE]).token_set.count() == 10
    client = password_step()
    client.post("/sign-in/code/", {"code": codes[0]})
    assert client.get("/").status_code == 200
    again = password_step()
    assert again.post("/sign-in/code/", {"code": codes[0]}).status_code == 400


def test_setting_up_two_step_sign_in_writes_nothing_on_a_get(client_as, staff):
    nurse = client_as(Role.NURSE)
    nurse.get("/account/two-factor/")
    nurse.get("/account/two-factor/?new")
    assert not TOTPDevice.objects.exists()
    page = nurse.post("/account/two-factor/", {"action": "start"})
    assert page.context["uri"].startswith("otpauth://totp/DetoxFlow%3Anora?secret=")
    pending = TOTPDevice.objects.get(user=staff[Role.NURSE], confirmed=False)
    assert nurse.post("/account/two-factor/", {"action": "confirm", "code": other_code(pending)}).status_code == 400
    done = nurse.post("/account/two-factor/", {"action": "confirm", "code": current_code(pending)})
    assert done.context["enabled"]
    assert len(done.context["backup_codes"]) == 10
    pending.refresh_from_db()
    assert pending.confirmed


@override_settings(REQUIRE_TOTP=True)
def test_when_required_clinical_users_must_set_it_up_first(client_as):
    assert client_as(Role.NURSE).get("/")["Location"] == "/account/two-factor/"
    assert client_as(Role.ADMINISTRATOR).get("/").status_code == 200


@override_settings(REQUIRE_TOTP=True)
def test_when_required_a_signed_in_user_with_an_app_passes_after_the_code(device):
    client = password_step()
    client.post("/sign-in/code/", {"code": current_code(device)})
    assert client.get("/").status_code == 200


def test_an_old_code_is_refused(device):
    old = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    old.time = (dt.datetime.now(tz=dt.UTC) - dt.timedelta(minutes=5)).timestamp()
    client = password_step()
    assert client.post("/sign-in/code/", {"code": f"{old.token():06d}"}).status_code == 400
