"""Clinical rules page: a physician's override is versioned, audited, and used by the next decision."""

import datetime as dt

import pytest

from detoxflow.accounts.permissions import Role
from detoxflow.admissions import services as admissions
from detoxflow.audit.models import AuditEvent
from detoxflow.facilities.models import RuleOverride

NOW = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def physician(client_as):
    return client_as(Role.PHYSICIAN)


def test_page_shows_value_default_and_source(client_as):
    page = client_as(Role.NURSE).get("/clinical-rules/").content.decode()
    assert "QTc above which inpatient monitoring is recommended (ms)" in page
    assert "Krantz et al., Ann Intern Med 2009" in page
    assert "Save a new version" not in page


def test_a_physician_saves_a_new_version_that_the_page_then_shows(physician):
    response = physician.post(
        "/clinical-rules/level_of_care/",
        {
            "older_age_from": "70",
            "qtc_limit_ms": "450",
            "methadone_mg_above_which_continue_methadone": "30",
            "inpatient_cows_from": "25",
            "reason": "Medical director decision 2026-11-20",
        },
    )
    assert response.status_code == 302
    override = RuleOverride.objects.get()
    assert override.values["older_age_from"] == 70
    assert AuditEvent.objects.filter(action="rules.override", object_id=str(override.pk)).exists()
    page = physician.get("/clinical-rules/").content.decode()
    assert f"facility override v{override.pk}" in page
    assert "Medical director decision 2026-11-20" in page


def test_out_of_bounds_and_missing_reason_are_named(physician):
    response = physician.post(
        "/clinical-rules/dsm5_severity/", {"mild_from": "2", "moderate_from": "7", "severe_from": "6", "reason": ""}
    )
    assert response.status_code == 400
    form = response.context["rows"][1]["form"]
    assert "reason" in form.errors
    response = physician.post(
        "/clinical-rules/dsm5_severity/",
        {"mild_from": "2", "moderate_from": "7", "severe_from": "6", "reason": "trial"},
    )
    assert "mild < moderate < severe" in response.context["rows"][1]["form"].errors["moderate_from"][0]
    assert not RuleOverride.objects.exists()


def test_triage_uses_the_facility_version_and_records_it(physician, staff, beds):
    for bed in beds:
        bed.housekeeping = "cleaning"
        bed.save()
    physician.post("/clinical-rules/triage/", {"reason": "We keep pregnant callers on our own waitlist"})
    screen = admissions.record_phone_screen(
        staff[Role.INTAKE_COORDINATOR],
        {
            "caller_name": "Sky",
            "caller_relationship": "self",
            "substances": ["heroin"],
            "route": "smoking",
            "pregnancy": "yes",
        },
        now=NOW,
        address=None,
    )
    override = RuleOverride.objects.get()
    assert screen.decision == "waitlist"
    assert screen.rules_version == f"facility override v{override.pk}"
