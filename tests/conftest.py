"""Shared fixtures: a small facility and a named cast of staff, one per role."""

import os

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from detoxflow.accounts.permissions import Role
from tests.factories import BedFactory, FacilityFactory, PatientFactory, UnitFactory, UserFactory

# The cast: one person per role, as in Zulip's hamlet and cordelia. Names are synthetic.
CAST = {
    Role.INTAKE_COORDINATOR: "ines",
    Role.NURSE: "nora",
    Role.PHYSICIAN: "phil",
    Role.COUNSELOR: "cora",
    Role.UNIT_MANAGER: "manon",
    Role.ADMINISTRATOR: "ada",
}

# Playwright's sync API runs an event loop in the test thread; Django must still allow its ORM there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()


@pytest.fixture
def facility(db):
    return FacilityFactory(name="Synthetic Detox Unit", code="synth")


@pytest.fixture
def unit(facility):
    return UnitFactory(facility=facility, name="North", code="north")


@pytest.fixture
def beds(unit):
    return [BedFactory(unit=unit, label=f"N{n:02d}") for n in range(1, 5)]


@pytest.fixture
def staff(facility):
    """One user per role in the facility, keyed by role."""
    return {role: UserFactory(username=name, role=role, facility=facility) for role, name in CAST.items()}


@pytest.fixture
def patient(facility):
    return PatientFactory(facility=facility, given_name="Alex", family_name="Sampleton", mrn="SYN-000001")


@pytest.fixture
def client_as(staff):
    """A signed-in test client for a role: client_as(Role.NURSE)."""

    def make(role):
        client = Client()
        client.force_login(staff[role])
        return client

    return make


@pytest.fixture
def other_facility(db):
    """A second facility whose records the cast must never see."""
    return FacilityFactory(name="Elsewhere Detox", code="elsewhere")


def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium: Playwright cannot download its own browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def audit_checkpoints(settings, tmp_path):
    """Each test its own checkpoint file: checkpoints name heads of the test's own database state."""
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    return settings.AUDIT_CHECKPOINT_FILE
