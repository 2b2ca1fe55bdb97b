"""Writers for evaluation and intake: the assessment, the method decision, the plan, and completing intake."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Role
from detoxflow.audit.services import record_event
from detoxflow.clinical.dsm5 import Criterion, OudAssessment, assess_oud
from detoxflow.clinical.level_of_care import IntakeFacts, recommend_detox_method
from detoxflow.clinical.rulebook import RuleSet
from detoxflow.clinical.stages import CareSetting, Stage, WithdrawalMedication
from detoxflow.clinical.triage import PregnancyAnswer, Substance
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from detoxflow.errors import InvalidInput
from detoxflow.facilities.rules import rules_in_force
from detoxflow.intake.models import Decision, Housing, IntakeAssessment, SuicideRisk, TreatmentPlan

MOUD = frozenset({WithdrawalMedication.BUPRENORPHINE, WithdrawalMedication.METHADONE})
PROTOCOL_PLACEHOLDERS = {
    WithdrawalMedication.BUPRENORPHINE: "Buprenorphine induction and stabilization (placeholder until protocols)",
    WithdrawalMedication.METHADONE: "Methadone stabilization (placeholder until protocols)",
    WithdrawalMedication.ALPHA2_AGONIST: "Alpha-2 agonist withdrawal (placeholder until protocols)",
    WithdrawalMedication.SYMPTOMATIC_ONLY: "Symptomatic adjunct set (placeholder until protocols)",
}


def _facts(
    episode: Episode, values: dict[str, Any], substance_use: dict[str, Any], today: dt.date, oud: OudAssessment
) -> IntakeFacts:
    return IntakeFacts(
        substances=frozenset(Substance(s) for s in substance_use),
        oud_severity=oud.severity,
        age=episode.patient.age_on(today),
        methadone_daily_mg=values.get("methadone_daily_mg"),
        prior_complicated_withdrawal=values["prior_complicated_withdrawal"] or values["seizure_history"],
        failed_outpatient_attempts=values["failed_outpatient_attempts"],
        cardiac_disease=values["cardiac_disease"],
        qtc_ms=values.get("last_qtc_ms"),
        respiratory_disease=values["respiratory_disease"],
        liver_disease=values["liver_disease"],
        active_infection=values["active_infection"],
        pregnancy=PregnancyAnswer(values["pregnancy"]),
        suicidality=values["suicide_risk"] in (SuicideRisk.ACTIVE_NO_PLAN, SuicideRisk.PLAN_OR_INTENT),
        psychosis=values["psychosis"],
        safe_housing=values["housing"] == Housing.STABLE,
        home_support=values["home_support"],
        can_attend_daily=values["can_attend_daily"],
        declines_opioid_agonist=values.get("declines_opioid_agonist", False),
    )


def check_intake_open(episode: Episode) -> None:
    """Refuse (409) an intake assessment outside evaluation & intake, saying what to do instead.

    Asked before the form is shown as well as when it is saved, so nobody fills the whole form to be refused.
    """
    stage = episode.stage_enum
    if stage is Stage.EVALUATION:
        return
    if stage is Stage.PRE_ADMISSION:
        message = (
            "The patient has not arrived yet: record the arrival (“Patient arrived”) first; "
            "this episode is in Pre-admission."
        )
    else:
        message = f"Intake is recorded in Evaluation & intake; this episode is in {stage.label}."
    raise InvalidInput("episode", message, status_code=409)


def record_intake(
    actor: User,
    episode: Episode,
    values: dict[str, Any],
    *,
    substance_use: dict[str, Any],
    urine_drug_screen: dict[str, str],
    now: dt.datetime,
    address: str | None,
) -> IntakeAssessment:
    """Store the evaluation with its DSM-5 severity and recommendation; a re-assessment clears the decision."""
    check_intake_open(episode)
    severity_rule = rules_in_force(episode.facility_id, RuleSet.DSM5_SEVERITY)
    level_rules = rules_in_force(episode.facility_id, RuleSet.LEVEL_OF_CARE)
    oud = assess_oud(
        frozenset(Criterion(c) for c in values["dsm5_criteria"]),
        only_under_medical_supervision=values["only_under_medical_supervision"],
        rule=severity_rule.rules,
    )
    recommendation = recommend_detox_method(
        _facts(episode, values, substance_use, timezone.localdate(now), oud), level_rules.rules
    )
    fields = {k: v for k, v in values.items() if k not in ("declines_opioid_agonist",)}
    assessment = IntakeAssessment.objects.filter(episode=episode).first() or IntakeAssessment(
        facility_id=episode.facility_id, episode=episode
    )
    for name, value in {
        **fields,
        "substance_use": substance_use,
        "urine_drug_screen": urine_drug_screen,
        "dsm5_criteria": sorted(values["dsm5_criteria"]),
        "oud_severity": oud.severity.value,
        "oud_icd10": oud.icd10 or "",
        "recommended_setting": recommendation.setting.value,
        "recommended_medication": recommendation.medication.value,
        "recommendation_reasons": [
            {"factor": r.factor, "effect": r.effect, "text": r.text, "source": r.source} for r in recommendation.reasons
        ]
        + [{"factor": "DSM-5", "effect": oud.severity.value, "text": t, "source": "APA DSM-5"} for t in oud.reasons],
        "pregnancy_routes_to_mat": recommendation.pregnancy_route_to_mat,
        "rules_version": f"DSM-5: {severity_rule.version}; level of care: {level_rules.version}",
        "assessed_at": now,
        "assessed_by": actor,
        "assessed_by_name": actor.display_name,
        "decision": "",
        "decided_setting": "",
        "decided_medication": "",
        "decision_reason": "",
        "high_risk": False,
        "consent_recorded": False,
        "decided_at": None,
        "decided_by": None,
        "decided_by_name": "",
    }.items():
        setattr(assessment, name, value)
    with transaction.atomic():
        assessment.save()
        record_event(
            actor=actor,
            action="intake.record",
            patient_id=episode.patient_id,
            episode_id=episode.pk,
            object_type="IntakeAssessment",
            object_id=assessment.pk,
            address=address,
            detail={"severity": oud.severity.value, "recommended": recommendation.setting.value},
        )
    return assessment


def decide_method(
    actor: User,
    assessment: IntakeAssessment,
    *,
    confirm: bool,
    setting: CareSetting | None,
    medication: WithdrawalMedication | None,
    reason: str,
    consent_recorded: bool,
    now: dt.datetime,
    address: str | None,
) -> IntakeAssessment:
    """Confirm the recommendation or override it with a reason; rapid detox and withdrawal in pregnancy need more."""
    if confirm:
        setting = CareSetting(assessment.recommended_setting)
        medication = WithdrawalMedication(assessment.recommended_medication)
        if medication is WithdrawalMedication.PENDING_VERIFICATION:
            missing = next(
                (r["text"] for r in assessment.recommendation_reasons if r.get("effect", "").startswith("verify")),
                "A fact that decides the medicine is missing",
            )
            raise InvalidInput(
                "withdrawal_medication",
                f"{missing}. Verify it and record the intake again, or choose a medicine with a reason.",
            )
    else:
        if setting is None:
            raise InvalidInput("care_setting", "Choose the care setting you are overriding to.")
        if medication is None or medication is WithdrawalMedication.PENDING_VERIFICATION:
            raise InvalidInput("withdrawal_medication", "Choose the withdrawal medication.")
        if not reason.strip():
            raise InvalidInput("reason", "An override needs the reason it departs from the recommendation.")
    high_risk = False
    if setting is CareSetting.RAPID_UNDER_ANESTHESIA:
        if actor.role != Role.PHYSICIAN:
            raise InvalidInput("care_setting", "Only a physician can record rapid detox under anesthesia.")
        if len(reason.strip()) < 40:
            raise InvalidInput("reason", "Rapid detox needs a written justification (at least a few sentences).")
        high_risk = True
    if assessment.pregnancy_routes_to_mat and medication not in MOUD:
        if actor.role != Role.PHYSICIAN:
            raise InvalidInput(
                "withdrawal_medication",
                "In pregnancy, withdrawal instead of methadone or buprenorphine needs a physician.",
            )
        if not consent_recorded:
            raise InvalidInput(
                "consent_recorded",
                "Record the patient's informed consent to withdrawal instead of medication treatment.",
            )
        high_risk = True
    episode = assessment.episode
    with transaction.atomic():
        assessment.decision = Decision.CONFIRMED if confirm else Decision.OVERRIDDEN
        assessment.decided_setting = setting.value
        assessment.decided_medication = medication.value
        assessment.decision_reason = reason.strip()
        assessment.high_risk = high_risk
        assessment.consent_recorded = consent_recorded
        assessment.decided_at = now
        assessment.decided_by = actor
        assessment.decided_by_name = actor.display_name
        assessment.save()
        episode_services.choose_care_setting(
            actor, episode, setting, medication, address=address, override_checked=True
        )
        record_event(
            actor=actor,
            action="intake.decide_method",
            patient_id=episode.patient_id,
            episode_id=episode.pk,
            object_type="IntakeAssessment",
            object_id=assessment.pk,
            address=address,
            detail={
                "decision": assessment.decision,
                "setting": setting.value,
                "medication": medication.value,
                "high_risk": high_risk,
            },
        )
    return assessment


def write_treatment_plan(
    actor: User, episode: Episode, values: dict[str, Any], *, now: dt.datetime, address: str | None
) -> TreatmentPlan:
    """Write or rewrite the plan; it follows a decided method."""
    assessment = IntakeAssessment.objects.filter(episode=episode).first()
    if assessment is None or not assessment.decision:
        raise InvalidInput("plan", "Confirm or override the recommended method before writing the plan.")
    plan = TreatmentPlan.objects.filter(episode=episode).first() or TreatmentPlan(
        facility_id=episode.facility_id, episode=episode
    )
    plan.protocol_reference = values["protocol_reference"]
    plan.goals = values["goals"]
    plan.planned_length_days = values["planned_length_days"]
    plan.written_at = now
    plan.written_by = actor
    plan.written_by_name = actor.display_name
    # The bed board plans with the expected discharge: admission day plus the planned length.
    start = timezone.localdate(episode.admitted_at or now)
    episode.expected_discharge = start + dt.timedelta(days=plan.planned_length_days)
    with transaction.atomic():
        plan.save()
        episode.save(update_fields=["expected_discharge"])
        record_event(
            actor=actor,
            action="intake.write_plan",
            patient_id=episode.patient_id,
            episode_id=episode.pk,
            object_type="TreatmentPlan",
            object_id=plan.pk,
            address=address,
        )
    return plan


def complete_intake(actor: User, episode: Episode, *, now: dt.datetime, address: str | None) -> Episode:
    """Move the episode to stabilization once the assessment is decided and the plan written."""
    assessment = IntakeAssessment.objects.filter(episode=episode).first()
    missing = []
    if assessment is None:
        missing.append("the intake assessment")
    elif not assessment.decision:
        missing.append("a confirmed or overridden detox method")
    if not TreatmentPlan.objects.filter(episode=episode).exists():
        missing.append("a treatment plan")
    if missing:
        raise InvalidInput("intake", "Intake is not complete: missing " + ", ".join(missing) + ".")
    method = f"{CareSetting(episode.care_setting).label}, {WithdrawalMedication(episode.withdrawal_medication).label}"
    return episode_services.change_stage(
        actor, episode.pk, Stage.STABILIZATION, reason=f"Intake complete: {method}", now=now, address=address
    )
