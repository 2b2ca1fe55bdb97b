"""Clinical rules page: a physician's override is versioned, audited, and used by the next decision."""

import datetime as dt

import pytest

from detoxflow.accounts.permissions import Role
from detoxflow.admissions import services as admissions
from detoxflow.audit.models import AuditEvent
from detoxflow.clinical.rulebook import RULEBOOK, RuleSet
from detoxflow.clinical.safety import PUBLISHED_SAFETY_RULES
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


def _row(response, rule_set):
    return next(row for row in response.context["rows"] if row["rule_set"] == rule_set)


def test_out_of_bounds_and_missing_reason_are_named(physician):
    response = physician.post("/clinical-rules/dose_safety/", {**SAFETY_FORM, "qtc_warn_above": "300", "reason": ""})
    assert response.status_code == 400
    form = _row(response, "dose_safety")["form"]
    assert "reason" in form.errors
    assert "qtc_warn_above" in form.errors
    assert not RuleOverride.objects.exists()


def test_contradicting_values_are_all_named_and_nothing_is_saved(physician):
    response = physician.post(
        "/clinical-rules/dose_safety/",
        {
            **SAFETY_FORM,
            "qtc_warn_above": "500",
            "qtc_stop_from": "480",
            "induction_hours_methadone": "12",
            "reason": "trial",
        },
    )
    assert response.status_code == 400
    errors = _row(response, "dose_safety")["form"].errors
    # 12 h after methadone is below the form's own bound; the QTc pair contradicts itself.
    assert "from 24 to 168" in errors["induction_hours_methadone"][0]
    assert "must be below" in errors["qtc_warn_above"][0]
    assert "must be below" in errors["qtc_stop_from"][0]
    assert not RuleOverride.objects.exists()


def test_dsm5_cut_points_are_shown_but_cannot_be_changed(physician):
    page = physician.get("/clinical-rules/")
    row = _row(page, "dsm5_severity")
    assert row["fixed"]
    assert [s["value"] for s in row["settings"]] == [2, 4, 6]
    response = physician.post("/clinical-rules/dsm5_severity/", {"mild_from": "1", "reason": "trial"})
    assert response.status_code == 400
    assert not RuleOverride.objects.exists()


SAFETY_FORM = {s.field: str(getattr(PUBLISHED_SAFETY_RULES, s.field)) for s in RULEBOOK[RuleSet.DOSE_SAFETY][1]}


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
            "wants_treatment": True,
        },
        now=NOW,
        address=None,
    )
    override = RuleOverride.objects.get()
    assert screen.decision == "waitlist"
    assert screen.rules_version == f"facility override v{override.pk}"
