"""Staff administration: the administrator creates, resets, unlocks and deactivates accounts, each audited."""

import pytest
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent

PASSWORD = "correct horse battery"


@pytest.fixture
def admin(client_as):
    return client_as(Role.ADMINISTRATOR)


def create_nurse(admin, unit):
    response = admin.post(
        "/staff/",
        {
            "username": "nadia",
            "first_name": "Nadia",
            "last_name": "Newstart",
            "role": Role.NURSE,
            "unit": unit.pk,
            "reason": "New starter, night shift",
        },
    )
    assert response.status_code == 200, response.context["form"].errors
    return User.objects.get(username="nadia"), response.context["created"][1]


def test_an_administrator_creates_a_nurse_bound_to_her_unit_who_sets_her_own_password(admin, unit):
    nurse, temporary = create_nurse(admin, unit)
    assert (nurse.role, nurse.unit_id, nurse.facility_id) == (Role.NURSE, unit.pk, unit.facility_id)
    event = AuditEvent.objects.get(action="staff.create")
    assert event.detail["reason"] == "New starter, night shift"
    assert event.detail["username"] == "nadia"
    client = Client()
    client.post("/sign-in/", {"username": "nadia", "password": temporary})
    assert client.get("/")["Location"] == "/account/password/"
    assert client.get("/api/patients").status_code == 403
    client.post(
        "/account/password/",
        {
            "old_password": temporary,
            "new_password1": "a long night shift phrase",
            "new_password2": "a long night shift phrase",
        },
    )
    assert client.get("/").status_code == 200
    nurse.refresh_from_db()
    assert not nurse.must_change_password


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "at least 12 characters"), ("password1234", "too common")],
    ids=["too-short", "common"],
)
def test_passwords_are_long_and_not_common_with_no_composition_rules(staff, password, message):
    client = Client()
    client.force_login(staff[Role.NURSE])
    response = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": password, "new_password2": password}
    )
    assert message in " ".join(response.context["form"].errors["new_password2"])
    ok = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "sleepy river lantern", "new_password2": "sleepy river lantern"},
    )
    assert ok.status_code == 302  # lower-case words only: no digit or symbol rule


def test_a_reset_password_works_once_and_forces_a_new_one(admin, staff):
    nurse = staff[Role.NURSE]
    page = admin.post(f"/staff/{nurse.pk}/", {"action": "reset_password", "reason": "Forgot it, ticket 42"})
    temporary = page.context["temporary"]
    assert Client().post("/sign-in/", {"username": "nora", "password": PASSWORD}).status_code == 200
    client = Client()
    assert client.post("/sign-in/", {"username": "nora", "password": temporary}).status_code == 302
    assert client.get("/")["Location"] == "/account/password/"
    assert AuditEvent.objects.filter(action="staff.reset_password", object_id=str(nurse.pk)).exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_an_administrator_unlocks_a_locked_account(admin, staff):
    for _ in range(3):
        Client().post("/sign-in/", {"username": "nora", "password": "wrong"})
    nurse = staff[Role.NURSE]
    assert "Locked" in admin.get("/staff/").content.decode()
    admin.post(f"/staff/{nurse.pk}/", {"action": "unlock", "reason": "Verified by phone"})
    assert Client().post("/sign-in/", {"username": "nora", "password": PASSWORD}).status_code == 302


def test_resetting_two_factor_removes_the_app(admin, staff):
    nurse = staff[Role.NURSE]
    TOTPDevice.objects.create(user=nurse, name="Authenticator app", confirmed=True)
    admin.post(f"/staff/{nurse.pk}/", {"action": "reset_two_factor", "reason": "Lost phone"})
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    # She signs in with her password alone now and is asked to set a new app up (when required).
    assert Client().post("/sign-in/", {"username": "nora", "password": PASSWORD})["Location"] == "/"


def test_a_deactivated_leaver_is_signed_out_and_cannot_sign_in(admin, staff, client_as):
    nurse_session = client_as(Role.NURSE)
    assert nurse_session.get("/").status_code == 200
    admin.post(f"/staff/{staff[Role.NURSE].pk}/", {"action": "deactivate", "reason": "Left the unit"})
    assert nurse_session.get("/").status_code == 302
    assert Client().post("/sign-in/", {"username": "nora", "password": PASSWORD}).status_code == 200


def test_every_change_needs_a_reason_and_nobody_deactivates_themselves(admin, staff):
    nurse = staff[Role.NURSE]
    response = admin.post(f"/staff/{nurse.pk}/", {"action": "deactivate", "reason": ""})
    assert response.status_code == 400
    own = admin.post(f"/staff/{staff[Role.ADMINISTRATOR].pk}/", {"action": "deactivate", "reason": "testing it"})
    assert "your own account" in " ".join(own.context["form"].non_field_errors())
    assert User.objects.filter(is_active=False).count() == 0


def test_a_taken_username_is_named(admin, unit):
    response = admin.post("/staff/", {"username": "NORA", "role": Role.NURSE, "reason": "New starter"})
    assert response.status_code == 400
    assert "taken" in response.context["form"].errors["username"][0]


def test_only_the_administrator_and_only_for_their_facility(client_as, other_facility, staff):
    for role in Role:
        if role is not Role.ADMINISTRATOR:
            assert client_as(role).get("/staff/").status_code == 403
    stranger = User.objects.create_user("olga", password=PASSWORD, role=Role.NURSE, facility=other_facility)
    admin = client_as(Role.ADMINISTRATOR)
    assert admin.get(f"/staff/{stranger.pk}/").status_code == 404
    assert "olga" not in admin.get("/staff/").content.decode()
    assert admin.post(f"/staff/{stranger.pk}/", {"action": "deactivate", "reason": "not mine"}).status_code == 404
