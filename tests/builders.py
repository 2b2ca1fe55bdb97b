"""Build an episode through the real services up to stabilization, as a unit would; shared by DB and browser tests."""

from decimal import Decimal

from detoxflow.clinical.stages import CareSetting, Stage, WithdrawalMedication
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from detoxflow.intake.models import IntakeAssessment
from detoxflow.medications import ledger


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
