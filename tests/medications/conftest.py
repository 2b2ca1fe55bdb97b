"""Fixtures for medication tests: a stabilized episode with an intake and buprenorphine in stock."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from detoxflow.accounts.permissions import Role
from detoxflow.clinical.stages import CareSetting, Stage, WithdrawalMedication
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from detoxflow.intake.models import IntakeAssessment
from detoxflow.medications import ledger

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


@pytest.fixture
def episode(staff, patient, beds):
    physician = staff[Role.PHYSICIAN]
    with time_machine.travel(T0 - 2 * H, tick=False):
        now = timezone.now()
        episode = episode_services.open_episode(physician, patient, reason="call", now=now, address=None)
        episode_services.change_stage(physician, episode.pk, Stage.EVALUATION, reason="here", now=now, address=None)
        episode = Episode.objects.get(pk=episode.pk)
        IntakeAssessment.objects.create(
            facility=episode.facility,
            episode=episode,
            substance_use={"heroin": {"last_use": (T0 - 14 * H).isoformat()}},
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
        episode_services.assign_bed(physician, episode, beds[0], address=None)
        episode = episode_services.change_stage(
            physician, episode.pk, Stage.STABILIZATION, reason="go", now=now, address=None
        )
        stock = ledger.stock_for(episode.facility_id, episode.unit_id, "buprenorphine_sl")
        ledger.receive(physician, stock, Decimal(100), note="pharmacy delivery", now=now, address=None)
        return episode
