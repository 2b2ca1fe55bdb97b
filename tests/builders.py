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
