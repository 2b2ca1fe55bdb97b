"""Pre-admission without delay or retyping: an emergency is triaged on its own, nothing starts answered, and
what the caller said reaches the booking; a returning patient is found rather than registered twice."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from detoxflow.accounts.permissions import Role
from detoxflow.admissions import services
from detoxflow.admissions.models import CallbackRequest, PhoneScreen
from detoxflow.audit.models import AuditEvent
from detoxflow.episodes.models import Episode
from detoxflow.errors import InvalidInput
from detoxflow.facilities.models import Housekeeping
from detoxflow.patients.models import Patient
from tests.factories import EpisodeFactory, PatientFactory, UnitFactory, UserFactory

NOW = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
ANSWERED = {
    "caller_name": "Sky Notreal",
    "phone": "555-0123",
    "caller_relationship": "self",
    "substances": ["fentanyl"],
    "hours_since_last_use": "6",
    "route": "smoking",
    "prior_detox_count": "1",
    "pregnancy": "no",
    "wants_treatment": "True",
}
EMERGENCY_SIGNS = ["overdose_now", "chest_pain", "breathing_difficulty", "suicidal_with_plan", "other_emergency_signs"]


@pytest.fixture
def intake(client_as):
    return client_as(Role.INTAKE_COORDINATOR)


@pytest.fixture
def callback(facility):
    return CallbackRequest.objects.create(facility=facility, name="Sky Notreal", phone="555-0123", received_at=NOW)


def _arrival() -> str:
    return (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


# ---- 1. An emergency cannot wait for other answers ----------------------------------------------------------


@pytest.mark.parametrize("sign", EMERGENCY_SIGNS)
def test_any_emergency_sign_alone_goes_straight_to_911_and_is_kept(intake, beds, callback, sign):
    response = intake.post("/phone-screens/new/", {sign: "on", "callback": callback.pk})
    screen = PhoneScreen.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/phone-screens/{screen.pk}/"
    assert (screen.decision, screen.rule_ids, getattr(screen, sign)) == ("emergency", ["T1-emergency"], True)
    callback.refresh_from_db()
    assert callback.status == "screened"
    page = intake.get(response["Location"]).content.decode()
    assert "Tell the caller to call <strong>911</strong> now" in page
    assert "Book a bed" not in page


def test_an_emergency_keeps_what_was_said_before_it(intake, beds):
    intake.post("/phone-screens/new/", {"breathing_difficulty": "on", "caller_name": "Sky", "substances": ["heroin"]})
    screen = PhoneScreen.objects.get()
    assert (screen.decision, screen.caller_name, screen.substances) == ("emergency", "Sky", ["heroin"])
    assert (screen.route, screen.pregnancy, screen.wants_treatment, screen.prior_detox_count) == ("", "", None, None)


def test_suicidal_thoughts_without_a_plan_alone_get_the_same_day_assessment(intake, beds):
    intake.post("/phone-screens/new/", {"suicidal_without_plan": "on"})
    screen = PhoneScreen.objects.get()
    assert screen.decision == "same_day"
    # Readiness was not asked, so the screen does not claim an admission can follow.
    assert not any("admission can follow" in reason for reason in screen.reasons)


def test_the_emergency_decision_is_the_facilitys_triage_rules(physician_overrides_suicidal_ideation, intake, beds):
    intake.post("/phone-screens/new/", {"suicidal_without_plan": "on"})
    assert PhoneScreen.objects.get().decision == "emergency"


@pytest.fixture
def physician_overrides_suicidal_ideation(client_as):
    response = client_as(Role.PHYSICIAN).post(
        "/clinical-rules/triage/",
        {"suicidal_ideation_is_emergency": "on", "high_risk_cannot_wait": "on", "reason": "Medical director, 2026"},
    )
    assert response.status_code == 302


# ---- 2. Defaults do not answer for the caller ---------------------------------------------------------------


def test_the_phone_screen_starts_with_nothing_answered(intake):
    page = intake.get("/phone-screens/new/").content.decode()
    for name in ("pregnancy", "has_housing", "has_home_support", "wants_treatment"):
        inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert len(inputs) >= 2, name
        assert not any("checked" in tag for tag in inputs), name


def test_a_screen_that_is_not_an_emergency_asks_for_each_missing_answer_by_name(intake, beds):
    response = intake.post("/phone-screens/new/", {"caller_name": "Sky", "substances": ["heroin"]})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"caller_relationship", "route", "pregnancy", "wants_treatment"}
    assert "Ask about pregnancy" in errors["pregnancy"][0]
    assert "wants treatment now" in errors["wants_treatment"][0]
    assert not PhoneScreen.objects.exists()


def test_an_unanswered_wants_treatment_is_not_taken_as_no(staff, beds):
    with pytest.raises(InvalidInput) as refused:
        services.record_phone_screen(
            staff[Role.INTAKE_COORDINATOR], {**ANSWERED, "wants_treatment": None}, now=NOW, address=None
        )
    assert refused.value.field == "wants_treatment"
    assert not PhoneScreen.objects.exists()


def test_an_unanswered_pregnancy_with_no_bed_is_asked_rather_than_waitlisted(staff, beds):
    for bed in beds:
        bed.housekeeping = Housekeeping.CLEANING
        bed.save()
    coordinator = staff[Role.INTAKE_COORDINATOR]
    values = {**ANSWERED, "wants_treatment": True, "pregnancy": ""}
    with pytest.raises(InvalidInput) as refused:
        services.record_phone_screen(coordinator, values, now=NOW, address=None)
    assert refused.value.field == "pregnancy"
    screen = services.record_phone_screen(coordinator, {**values, "pregnancy": "possible"}, now=NOW, address=None)
    assert (screen.decision, screen.rule_ids) == ("refer_out", ["T4-cannot-wait"])


def test_housing_and_home_support_left_unasked_are_shown_as_not_asked(intake, beds):
    response = intake.post("/phone-screens/new/", ANSWERED)
    screen = PhoneScreen.objects.get()
    assert (screen.decision, screen.has_housing, screen.has_home_support, screen.wants_treatment) == (
        "admit",
        None,
        None,
        True,
    )
    page = intake.get(response["Location"]).content.decode()
    assert "Not asked on this call:</strong> safe place to live, support at home." in page
    assert "<dt>Safe place to live</dt><dd>not asked</dd>" in page


def test_a_no_is_kept_as_a_no(intake, beds):
    intake.post("/phone-screens/new/", {**ANSWERED, "has_housing": "False", "wants_treatment": "False"})
    screen = PhoneScreen.objects.get()
    assert (screen.has_housing, screen.wants_treatment, screen.decision) == (False, False, "refer_out")


# ---- 3. Carried forward: call-back -> phone screen -> booking ------------------------------------------------


def test_the_call_back_fills_in_the_phone_screen(intake, callback):
    form = intake.get(f"/phone-screens/new/?callback={callback.pk}").context["form"]
    assert (form["caller_name"].value(), form["phone"].value(), form["callback"].value()) == (
        "Sky Notreal",
        "555-0123",
        callback.pk,
    )


@pytest.mark.parametrize("junk", ["abc", "0", "-1", "9" * 40], ids=["letters", "zero", "negative", "too-long"])
def test_a_junk_id_in_the_query_string_is_ignored_not_an_error(intake, beds, junk):
    assert intake.get(f"/phone-screens/new/?callback={junk}").status_code == 200
    assert intake.get(f"/admissions/book/?screen={junk}&patient={junk}&bed={junk}").status_code == 200


def _screen(staff, **changes):
    values = {**ANSWERED, "hours_since_last_use": 6, "prior_detox_count": 1, "wants_treatment": True, **changes}
    return services.record_phone_screen(staff[Role.INTAKE_COORDINATOR], values, now=NOW, address=None)


def test_the_booking_is_filled_in_from_the_phone_screen(intake, staff, beds):
    screen = _screen(staff, pregnancy="possible")
    page = intake.get(f"/admissions/book/?screen={screen.pk}")
    form = page.context["form"]
    assert {k: form[k].value() for k in ("screen", "given_name", "family_name", "phone", "pregnancy_capable")} == {
        "screen": screen.pk,
        "given_name": "Sky",
        "family_name": "Notreal",
        "phone": "555-0123",
        "pregnancy_capable": True,
    }
    assert "Fentanyl or analogues" in page.content.decode()


def test_a_family_members_name_is_not_taken_for_the_patients(intake, staff, beds):
    screen = _screen(staff, caller_relationship="family", pregnancy="not_applicable")
    form = intake.get(f"/admissions/book/?screen={screen.pk}").context["form"]
    assert (form["given_name"].value(), form["family_name"].value(), form["pregnancy_capable"].value()) == (
        None,
        None,
        False,
    )


def test_booking_from_the_screen_needs_only_what_the_call_could_not_know(intake, staff, beds, facility):
    screen = _screen(staff)
    response = intake.post(
        f"/admissions/book/?screen={screen.pk}",
        {
            "screen": screen.pk,
            "given_name": "Sky",
            "family_name": "Notreal",
            "phone": "555-0123",
            "date_of_birth": "1991-03-04",
            "sex": "male",
            "bed": beds[0].pk,
            "expected_arrival": _arrival(),
        },
    )
    patient = Patient.objects.get()
    assert response["Location"] == f"/patients/{patient.pk}/"
    assert patient.mrn == f"{facility.code.upper()}-000001"
    screen.refresh_from_db()
    assert (screen.patient, screen.episode) == (patient, Episode.objects.get(patient=patient))


# ---- 5. Patient search --------------------------------------------------------------------------------------


@pytest.fixture
def returning(facility):
    return PatientFactory(
        facility=facility, given_name="Robin", family_name="Againson", mrn="OLD-4411", date_of_birth=dt.date(1985, 2, 1)
    )


@pytest.mark.parametrize(
    "query",
    ["name=robin+againson", "name=agains&date_of_birth=1985-02-01", "name=&record_number=old-4411"],
    ids=["full-name", "part-name-and-birth-date", "record-number"],
)
def test_a_returning_patient_is_found_by_name_birth_date_or_record_number(intake, returning, query):
    page = intake.get(f"/admissions/book/?{query}")
    assert page.context["matches"] == [returning]
    assert f'href="?patient={returning.pk}"' in page.content.decode()
    assert AuditEvent.objects.filter(action="patient.search", detail__patients_shown=[returning.pk]).exists()


def test_the_search_finds_nobody_on_a_wrong_birth_date_or_another_facility(intake, returning, other_facility):
    PatientFactory(facility=other_facility, given_name="Robin", family_name="Againson", mrn="OLD-4411")
    assert intake.get("/admissions/book/?name=againson&date_of_birth=1985-02-02").context["matches"] == []
    assert intake.get("/admissions/book/?name=&record_number=OLD-4411").context["matches"] == [returning]
    assert intake.get("/admissions/book/?name=").context["matches"] == []  # no criterion lists nobody


def test_the_search_keeps_to_a_unit_bound_users_reach(client, facility, unit, returning, beds):
    south = UnitFactory(facility=facility, name="South")
    EpisodeFactory(
        patient=returning,
        facility=facility,
        unit=south,
        stage="discharged",
        discharged_at=NOW,
        discharge_type="completed",
    )
    manager = UserFactory(role=Role.UNIT_MANAGER, facility=facility, unit=unit)
    client.force_login(manager)
    assert client.get("/admissions/book/?name=againson").context["matches"] == []


def test_a_returning_patient_is_booked_without_a_second_registration(intake, returning, beds):
    response = intake.post(
        f"/admissions/book/?patient={returning.pk}",
        {"patient": returning.pk, "bed": beds[1].pk, "expected_arrival": _arrival()},
    )
    assert response["Location"] == f"/patients/{returning.pk}/"
    assert Patient.objects.count() == 1
    assert Episode.objects.get(patient=returning).bed == beds[1]


def test_a_patient_with_an_open_episode_is_shown_but_cannot_be_booked_again(intake, returning, staff):
    EpisodeFactory(patient=returning, facility=returning.facility)
    page = intake.get("/admissions/book/?name=againson").content.decode()
    assert "Has an open episode" in page
    assert f"?patient={returning.pk}" not in page


def test_registering_the_same_name_and_birth_date_again_is_refused_until_confirmed(intake, returning, beds):
    new = {
        "given_name": "robin",
        "family_name": "Againson",
        "date_of_birth": "1985-02-01",
        "sex": "female",
        "bed": beds[0].pk,
        "expected_arrival": _arrival(),
    }
    response = intake.post("/admissions/book/", new)
    assert response.status_code == 400
    assert "is registered already (OLD-4411)" in response.context["form"].errors["given_name"][0]
    assert Patient.objects.count() == 1
    assert intake.post("/admissions/book/", {**new, "different_person": "on"}).status_code == 302
    assert Patient.objects.count() == 2


def test_a_patient_of_another_facility_cannot_be_booked_by_id(intake, other_facility, beds):
    stranger = PatientFactory(facility=other_facility)
    response = intake.post(
        "/admissions/book/", {"patient": stranger.pk, "bed": beds[0].pk, "expected_arrival": _arrival()}
    )
    assert response.status_code == 400
    assert "not among your facility's records" in response.context["form"].errors["patient"][0]
    assert not Episode.objects.exists()


# ---- 8. The intake queue's columns all have a header --------------------------------------------------------


def test_every_column_of_the_intake_queue_has_a_header(intake, callback):
    page = intake.get("/intake-queue/").content.decode()
    headers = re.findall(r"<th[^>]*>(.*?)</th>", page)
    assert headers
    assert all(re.sub(r"<[^>]+>", "", h).strip() for h in headers), headers
    assert '<span class="visually-hidden">Actions</span>' in page
