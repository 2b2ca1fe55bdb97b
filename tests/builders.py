"""Build an episode through the real services up to stabilization, as a unit would; shared by DB and browser tests."""

import datetime as dt
from decimal import Decimal

from detoxflow.accounts.permissions import Role
from detoxflow.aftercare import services as aftercare
from detoxflow.assessments import services as assessments
from detoxflow.clinical.scales import COWS
from detoxflow.clinical.stages import CareSetting, Stage, WithdrawalMedication
from detoxflow.consent import services as consents
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from detoxflow.intake.models import IntakeAssessment
from detoxflow.medications import ledger
from detoxflow.medications import services as medications
from tests.factories import BedFactory, FacilityFactory, PatientFactory, UnitFactory, UserFactory


def stabilized_episode(physician, patient, bed, now, *, last_heroin=None, bup_stock_mg=None):
    """Open, admit, choose inpatient buprenorphine, bed, stabilize; optionally an intake and buprenorphine stock."""
    episode = episode_services.open_episode(physician, patient, reason="call", now=now, address=None)
    episode_services.change_stage(physician, episode.pk, Stage.EVALUATION, reason="here", now=now, address=None)
    episode = Episode.objects.get(pk=episode.pk)
    if last_heroin is not None:
        IntakeAssessment.objects.create(
            facility=episode.facility,
            episode=episode,
            substance_use={"heroin": {"last_use": last_heroin.isoformat()}},
            suicide_risk="none",
            pregnancy="no",
            housing="stable",
            heart_rate=90,
            systolic_bp=130,
            diastolic_bp=80,
            respiratory_rate=16,
            temperature_c=Decimal("37.0"),
            spo2=98,
            oud_severity="severe",
            recommended_setting="inpatient",
            assessed_at=now,
            assessed_by_name="x",
            last_qtc_ms=430,
        )
    episode_services.choose_care_setting(
        physician, episode, CareSetting.INPATIENT, WithdrawalMedication.BUPRENORPHINE, address=None
    )
    episode_services.assign_bed(physician, episode, bed, address=None)
    episode = episode_services.change_stage(
        physician, episode.pk, Stage.STABILIZATION, reason="intake done", now=now, address=None
    )
    if bup_stock_mg is not None:
        stock = ledger.stock_for(episode.facility_id, episode.unit_id, "buprenorphine_sl")
        ledger.receive(physician, stock, Decimal(bup_stock_mg), note="pharmacy delivery", now=now, address=None)
    return episode


def recorded_episode(staff, patient, bed, now):
    """A stabilized episode with something of every kind a FHIR export carries: intake (DSM-5 severe),
    a COWS with vitals, a signed ondansetron order with one dose given, an aftercare item and a consent."""
    physician, nurse = staff[Role.PHYSICIAN], staff[Role.NURSE]
    episode = stabilized_episode(physician, patient, bed, now, last_heroin=now - dt.timedelta(hours=14))
    IntakeAssessment.objects.filter(episode=episode).update(
        oud_icd10="F11.20", dsm5_criteria=["craving", "tolerance", "withdrawal", "larger_amounts"]
    )
    answers = {item.key: 0 for item in COWS.items} | {"pulse": 2, "yawning": 1}
    vitals = {"heart_rate": 104, "systolic_bp": 130, "diastolic_bp": 80}
    assessments.record_assessment(nurse, episode, "COWS", answers, vitals, now=now, address=None)
    order = medications.sign_order(
        physician,
        episode,
        {
            "medicine_code": "ondansetron",
            "kind": "scheduled",
            "dose_mg": Decimal(4),
            "min_interval_minutes": 480,
            "single_dose_max_mg": Decimal(8),
            "daily_max_mg": Decimal(24),
        },
        built_from="Written by hand",
        starts_at=now,
        now=now,
        address=None,
    )
    medications.record_administration(
        nurse,
        order.pk,
        status="given",
        dose_mg=None,
        due_at=now,
        reason="",
        now=now + dt.timedelta(minutes=5),
        address=None,
    )
    aftercare.add_item(
        physician,
        episode,
        "support_group",
        resource=None,
        appointment_at=now + dt.timedelta(days=6),
        detail="Tuesday evening meeting",
        address=None,
    )
    consents.record_consent(
        physician,
        patient,
        {
            "recipient": "Synthetic Recovery Clinic",
            "categories": ["medications", "assessments"],
            "purpose": "continuing care",
            "starts": now.date(),
            "signed_copy_reference": "consent binder 3",
        },
        now=now,
        address=None,
    )
    return Episode.objects.get(pk=episode.pk)


def intake_program(beds):
    """The Synthetic Detox Unit (code synth) with free North beds N01 up to `beds`, and Ines, its intake coordinator."""
    facility = FacilityFactory(name="Synthetic Detox Unit", code="synth", admissions_phone="555-0100")
    unit = UnitFactory(facility=facility, name="North")
    for n in range(1, beds + 1):
        BedFactory(unit=unit, label=f"N{n:02d}")
    UserFactory(username="ines", first_name="Ines", last_name="Intake", role=Role.INTAKE_COORDINATOR, facility=facility)
    return facility


def north_bed():
    """Bed N01 on the North unit of a new facility, the Synthetic Detox Unit."""
    facility = FacilityFactory(name="Synthetic Detox Unit")
    return BedFactory(unit=UnitFactory(facility=facility, name="North"), label="N01")


def sampleton_episode(clinician, bed, now, **options):
    """`stabilized_episode` (with its `options`) for a new patient named Sampleton of the bed's facility, in the bed."""
    patient = PatientFactory(facility=bed.unit.facility, family_name="Sampleton")
    return stabilized_episode(clinician, patient, bed, now, **options)


def buprenorphine_induction(physician, episode, now, *, stock_mg=56):
    """Sign the buprenorphine induction protocol, then receive `stock_mg` of SL tablets on the episode's unit."""
    medications.sign_protocol(physician, episode, "buprenorphine_induction", now=now, address=None)
    stock = ledger.stock_for(episode.facility_id, episode.unit_id, "buprenorphine_sl")
    ledger.receive(physician, stock, Decimal(stock_mg), note="pharmacy delivery", now=now, address=None)


def signed_order(physician, episode, code, kind, dose, single, daily, interval, now):
    """An order written by hand, signed at `now` and starting then: doses in mg, `interval` minutes between doses."""
    return medications.sign_order(
        physician,
        episode,
        {
            "medicine_code": code,
            "kind": kind,
            "dose_mg": Decimal(dose),
            "min_interval_minutes": interval,
            "single_dose_max_mg": Decimal(single),
            "daily_max_mg": Decimal(daily),
        },
        built_from="Written by hand",
        starts_at=now,
        now=now,
        address=None,
    )


def north_ward(*, nurse=None, physician=None):
    """north_bed() with nurse nora and physician phil on its facility, `nurse` and `physician` (dicts of
    UserFactory fields such as first_name) added to theirs; returns the bed and the physician."""
    bed = north_bed()
    facility = bed.unit.facility
    UserFactory(username="nora", role=Role.NURSE, facility=facility, **(nurse or {}))
    doctor = UserFactory(username="phil", role=Role.PHYSICIAN, facility=facility, **(physician or {}))
    return bed, doctor


def aftercare_plan_ready(counselor, episode, kind, now, *, days, detail, resource=None):
    """One aftercare item of `kind` with an appointment in `days` days, the plan reviewed with the patient and
    the whole checklist done (naloxone dispensed, overdose education, medications reconciled)."""
    aftercare.add_item(
        counselor,
        episode,
        kind,
        resource=resource,
        appointment_at=now + dt.timedelta(days=days),
        detail=detail,
        address=None,
    )
    aftercare.review_with_patient(counselor, episode, now=now, address=None)
    aftercare.update_checklist(
        counselor,
        episode,
        {
            "naloxone": "dispensed",
            "naloxone_decline_reason": "",
            "overdose_education": True,
            "medications_reconciled": True,
        },
        address=None,
    )


# Every vital a nurse can chart beside a withdrawal score, all inside the usual range but a fast heart rate: the
# charting, vitals-table and trend tests each need one full set, and share it so they check the same readings.
CHARTED_VITALS = {
    "heart_rate": 104,
    "systolic_bp": 138,
    "diastolic_bp": 88,
    "respiratory_rate": 18,
    "temperature_c": 37.2,
    "spo2": 97,
    "pain": 4,
    "sedation": "1",
}


def ready_for_discharge(staff, episode, now, *, resource=None, reason="Stable; planning"):
    """Into aftercare planning with a support-group item, the plan reviewed and the whole checklist done (naloxone
    dispensed), so a planned discharge is refused only by what a test leaves in its way."""
    episode_services.change_stage(
        staff[Role.PHYSICIAN], episode.pk, Stage.AFTERCARE_PLANNING, reason=reason, now=now, address=None
    )
    aftercare_plan_ready(
        staff[Role.COUNSELOR], episode, "support_group", now, days=3, detail="Tuesday evening", resource=resource
    )
