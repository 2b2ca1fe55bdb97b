"""The administrator's first morning: a new nurse's account made, her password reset, unlocked, deactivated."""

import pytest
from django.test import Client, override_settings
from playwright.sync_api import Page, expect

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Role
from tests.browser.conftest import ARTIFACTS, submit_sign_in
from tests.factories import FacilityFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def facility():
    facility = FacilityFactory(name="Synthetic Detox Unit")
    UnitFactory(facility=facility, name="North")
    UnitFactory(facility=facility, name="South")
    UserFactory(username="ada", first_name="Ada", last_name="Admin", role=Role.ADMINISTRATOR, facility=facility)
    return facility


def change(page: Page, action: str, reason: str) -> None:
    page.get_by_label("Action").select_option(label=action)
    page.get_by_label("Why").fill(reason)
    page.get_by_role("button", name="Apply").click()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_administrator_creates_resets_unlocks_and_deactivates_a_nurse(page, live_server, facility):
    submit_sign_in(page, live_server.url, "ada")
    page.get_by_role("link", name="Staff").click()

    page.get_by_label("Username").fill("nadia")
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Newstart")
    page.get_by_label("Role").select_option(label="Nurse")
    page.get_by_label("Home unit").select_option(label="South")
    page.get_by_label("Why (e.g. new starter, ticket number)").fill("New starter, nights")
    page.get_by_role("button", name="Create the account").click()
    expect(page.locator("#new-account")).to_contain_text("can sign in as nadia")
    staff = page.get_by_role("table", name="Staff accounts")
    expect(staff).to_contain_text("Newstart")
    expect(staff).to_contain_text("South")
    nadia = User.objects.get(username="nadia")
    assert (nadia.role, nadia.unit.name) == (Role.NURSE, "South")

    page.get_by_role("link", name="Nadia Newstart").click()
    change(page, "Reset the password", "Forgot it on her first night")
    temporary = page.locator("#temporary-password").inner_text()
    assert Client().post("/sign-in/", {"username": "nadia", "password": temporary}).status_code == 302

    for _ in range(3):
        Client().post("/sign-in/", {"username": "nadia", "password": "not it"})
    page.reload()
    expect(page.locator("#account-state")).to_contain_text("Locked")
    change(page, "Unlock", "Called her back on the unit phone")
    expect(page.locator("#account-state")).to_have_text("Active")

    change(page, "Deactivate", "Moved to another hospital")
    expect(page.locator("#account-state")).to_have_text("Deactivated")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "staff-administration.png"), full_page=True)
    assert not User.objects.get(username="nadia").is_active
