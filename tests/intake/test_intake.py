"""Evaluation and intake: severity and recommendation stored, decision rules, plan, completion."""

import datetime as dt

import pytest

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.clinical.stages import CareSetting, Stage, WithdrawalMedication
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from detoxflow.errors import InvalidInput
from detoxflow.intake import services
from detoxflow.intake.forms import IntakeForm
from detoxflow.intake.models import IntakeAssessment

NOW = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
FORM = {
    "use_heroin": "on",
    "last_use_heroin": "2026-11-20T02:00",
    "use_benzodiazepines": "on",
    "suicide_risk": "none",
    "pregnancy": "no",
    "housing": "stable",
    "home_support": "on",
    "can_attend_daily": "on",
    "heart_rate": "96",
    "systolic_bp": "132",
    "diastolic_bp": "84",
    "respiratory_rate": "16",
    "temperature_c": "37.1",
    "spo2": "98",
    "dsm5_criteria": ["larger_or_longer", "craving", "tolerance", "withdrawal", "time_spent", "cannot_cut_down"],
    **{
        f"uds_{a}": "not_tested"
        for a in (
            "opiates",
            "fentanyl",
            "methadone",
            "buprenorphine",
            "oxycodone",
            "benzodiazepines",
            "cocaine",
            "amphetamines",
            "cannabis",
            "alcohol",
        )
    },
    "uds_opiates": "positive",
}


@pytest.fixture
def episode(staff, patient):
    physician = staff[Role.PHYSICIAN]
    episode = episode_services.open_episode(physician, patient, reason="call", now=NOW, address=None)
    return episode_services.change_stage(
        physician, episode.pk, Stage.EVALUATION, reason="arrived", now=NOW, address=None
    )


@pytest.fixture
def nurse(client_as):
    return client_as(Role.NURSE)


@pytest.fixture
def physician(client_as):
    return client_as(Role.PHYSICIAN)


def test_intake_stores_severity_recommendation_and_reasons(nurse, episode):
    response = nurse.post(f"/episodes/{episode.pk}/intake/assessment/", FORM)
    assert response["Location"] == f"/episodes/{episode.pk}/intake/"
    assessment = IntakeAssessment.objects.get(episode=episode)
    assert (assessment.oud_severity, assessment.oud_icd10) == ("severe", "F11.20")
    assert (assessment.recommended_setting, assessment.recommended_medication) == ("inpatient", "buprenorphine")
    assert assessment.substance_use["heroin"]["last_use"].startswith("2026-11-20")
    assert assessment.urine_drug_screen["opiates"] == "positive"
    factors = [r["factor"] for r in assessment.recommendation_reasons]
    assert "benzodiazepines co-use" in factors
    page = nurse.get(f"/episodes/{episode.pk}/intake/").content.decode()
    assert "Benzodiazepines co-use: risk of seizures or delirium in withdrawal → inpatient" in page
    assert AuditEvent.objects.filter(action="intake.record", episode_id=episode.pk).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"heart_rate": "700"}, "heart_rate", "Heart rate 700 /min is outside what is possible"),
        ({"diastolic_bp": "140"}, "diastolic_bp", "lower than systolic"),
        ({"last_use_alcohol": "2026-11-19T20:00"}, "use_alcohol", "tick Alcohol too"),
        ({"last_qtc_on": "2026-11-01"}, "last_qtc_ms", "give its QTc too"),
        ({"last_use_heroin": "yesterday"}, "last_use_heroin", "Enter the last use as a date and time."),
        ({"suicide_risk": "maybe"}, "suicide_risk", "Select a valid choice"),
    ],
    ids=["hr-typo", "bp-inverted", "last-use-without-substance", "ecg-date-without-qtc", "bad-time", "bad-choice"],
)
def test_bad_intake_input_is_named_and_saves_nothing(nurse, episode, change, field, message):
    response = nurse.post(f"/episodes/{episode.pk}/intake/assessment/", {**FORM, **change})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not IntakeAssessment.objects.exists()


def _assess(staff, episode, **changes):
    form = IntakeForm({**FORM, **changes})
    assert form.is_valid(), form.errors
    return services.record_intake(
        staff[Role.NURSE],
        episode,
        form.cleaned_data,
        substance_use=form.substance_use(),
        urine_drug_screen=form.urine_drug_screen(),
        now=NOW,
        address=None,
    )


def _confirm(staff, assessment):
    return services.decide_method(
        staff[Role.PHYSICIAN],
        assessment,
        confirm=True,
        setting=None,
        medication=None,
        reason="",
        consent_recorded=False,
        now=NOW,
        address=None,
    )


def test_methadone_with_an_unknown_dose_recommends_no_medicine_until_it_is_verified(staff, episode):
    # Buprenorphine labels: precipitated withdrawal is more likely above 30 mg/day (reference §4).
    assessment = _assess(staff, episode, use_methadone="on", last_use_methadone="2026-11-19T08:00")
    assert assessment.recommended_medication == "pending_verification"
    texts = [r["text"] for r in assessment.recommendation_reasons]
    assert any(t.startswith("Methadone daily dose unknown: verify with the dispensing program") for t in texts)
    with pytest.raises(InvalidInput) as refused:
        _confirm(staff, assessment)
    assert refused.value.field == "withdrawal_medication"
    assert "Methadone daily dose unknown" in refused.value.message
    assessment.refresh_from_db()
    assert not assessment.decision
    known = _assess(staff, episode, use_methadone="on", methadone_daily_mg="60")
    assert known.recommended_medication == "methadone"


def test_confirming_sets_the_episode_method(staff, episode):
    assessment = _assess(staff, episode)
    _confirm(staff, assessment)
    episode.refresh_from_db()
    assert (episode.care_setting, episode.withdrawal_medication) == ("inpatient", "buprenorphine")
    assert assessment.decision == "confirmed"


def test_an_override_needs_a_reason_and_is_stored_with_it(staff, episode):
    assessment = _assess(staff, episode)
    with pytest.raises(InvalidInput) as refused:
        services.decide_method(
            staff[Role.PHYSICIAN],
            assessment,
            confirm=False,
            setting=CareSetting.OUTPATIENT,
            medication=WithdrawalMedication.BUPRENORPHINE,
            reason=" ",
            consent_recorded=False,
            now=NOW,
            address=None,
        )
    assert refused.value.field == "reason"
    services.decide_method(
        staff[Role.PHYSICIAN],
        assessment,
        confirm=False,
        setting=CareSetting.OUTPATIENT,
        medication=WithdrawalMedication.BUPRENORPHINE,
        reason="Benzodiazepine is a stable prescribed dose; lives with partner",
        consent_recorded=False,
        now=NOW,
        address=None,
    )
    assessment.refresh_from_db()
    assert (assessment.decision, assessment.decided_setting) == ("overridden", "outpatient")
    assert "stable prescribed dose" in assessment.decision_reason


def test_rapid_detox_needs_a_physician_a_justification_and_is_flagged(staff, episode):
    assessment = _assess(staff, episode)
    kwargs = {
        "confirm": False,
        "setting": CareSetting.RAPID_UNDER_ANESTHESIA,
        "medication": WithdrawalMedication.SYMPTOMATIC_ONLY,
        "consent_recorded": False,
        "now": NOW,
        "address": None,
    }
    with pytest.raises(InvalidInput, match="Only a physician"):
        services.decide_method(staff[Role.NURSE], assessment, reason="x" * 60, **kwargs)
    with pytest.raises(InvalidInput, match="written justification"):
        services.decide_method(staff[Role.PHYSICIAN], assessment, reason="patient wants it", **kwargs)
    services.decide_method(
        staff[Role.PHYSICIAN],
        assessment,
        reason="Transfer to a hospital anesthesia service at the patient's insistent request after counselling",
        **kwargs,
    )
    assessment.refresh_from_db()
    assert assessment.high_risk
    assert Episode.objects.get(pk=episode.pk).care_setting == "rapid_under_anesthesia"


def test_pregnancy_routes_to_medication_and_withdrawal_needs_consent(staff, episode):
    assessment = _assess(staff, episode, pregnancy="yes")
    assert assessment.pregnancy_routes_to_mat
    kwargs = {
        "confirm": False,
        "setting": CareSetting.INPATIENT,
        "medication": WithdrawalMedication.ALPHA2_AGONIST,
        "reason": "Declines MOUD after counselling",
        "now": NOW,
        "address": None,
    }
    with pytest.raises(InvalidInput) as refused:
        services.decide_method(staff[Role.PHYSICIAN], assessment, consent_recorded=False, **kwargs)
    assert refused.value.field == "consent_recorded"
    services.decide_method(staff[Role.PHYSICIAN], assessment, consent_recorded=True, **kwargs)
    assessment.refresh_from_db()
    assert assessment.high_risk


def test_intake_only_in_evaluation(staff, patient):
    episode = episode_services.open_episode(staff[Role.PHYSICIAN], patient, reason="call", now=NOW, address=None)
    with pytest.raises(InvalidInput, match="this episode is in Pre-admission"):
        _assess(staff, episode)


def test_completing_intake_needs_decision_plan_and_bed_then_moves_to_stabilization(physician, staff, episode, beds):
    response = physician.post(f"/episodes/{episode.pk}/intake/complete/")
    assert response.status_code == 409
    assert "missing the intake assessment, a treatment plan" in response.content.decode()
    _assess(staff, episode)
    physician.post(f"/episodes/{episode.pk}/intake/decision/", {"decision": "confirm"})
    refused = physician.post(f"/episodes/{episode.pk}/intake/plan/", {"goals": "", "planned_length_days": "0"})
    assert refused.status_code == 400
    physician.post(
        f"/episodes/{episode.pk}/intake/plan/",
        {
            "protocol_reference": "Buprenorphine induction",
            "goals": "Comfortable withdrawal; start MOUD",
            "planned_length_days": "7",
        },
    )
    assert Episode.objects.get(pk=episode.pk).expected_discharge == dt.date(2026, 11, 27)  # admitted the 20th + 7
    response = physician.post(f"/episodes/{episode.pk}/intake/complete/")
    assert "an inpatient stay needs a bed assigned" in response.content.decode()
    episode_services.assign_bed(staff[Role.NURSE], Episode.objects.get(pk=episode.pk), beds[0], address=None)
    response = physician.post(f"/episodes/{episode.pk}/intake/complete/")
    assert response["Location"] == f"/patients/{episode.patient_id}/"
    episode.refresh_from_db()
    assert episode.stage == "stabilization"
    assert (
        episode.transitions.last().reason == "Intake complete: Inpatient, 24/7 medically monitored, "
        "Buprenorphine-assisted"
    )


def test_a_nurse_cannot_decide_the_method(client_as, staff, episode):
    _assess(staff, episode)
    assert (
        client_as(Role.NURSE).post(f"/episodes/{episode.pk}/intake/decision/", {"decision": "confirm"}).status_code
        == 403
    )
