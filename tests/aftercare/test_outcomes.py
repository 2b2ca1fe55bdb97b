"""Outcome figures on a small hand-built set where every answer is known."""

import datetime as dt

import pytest

from detoxflow.accounts.permissions import Role
from detoxflow.aftercare.models import FollowUpTask
from detoxflow.aftercare.queries import outcomes
from detoxflow.episodes.models import Episode
from detoxflow.medications.models import MedicationAdministration, MedicationRequest
from tests.factories import PatientFactory

D = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def stay(facility, patient, admitted_day, days, discharge_type, medication="buprenorphine"):

    admitted = D + dt.timedelta(days=admitted_day)
    return Episode.objects.create(
        facility=facility,
        patient=patient,
        stage="discharged",
        opened_at=admitted,
        admitted_at=admitted,
        discharged_at=admitted + dt.timedelta(days=days),
        discharge_type=discharge_type,
        care_setting="inpatient",
        withdrawal_medication=medication,
    )


@pytest.fixture
def history(facility):
    a, b, c = (PatientFactory(facility=facility) for _ in range(3))
    first = stay(facility, a, 0, 5, "completed")
    stay(facility, a, 15, 3, "against_medical_advice")  # readmitted 10 days after the first discharge
    second = stay(facility, b, 2, 7, "completed", medication="methadone")
    stay(facility, c, 4, 1, "administrative")
    order = MedicationRequest.objects.create(
        facility=facility,
        episode=first,
        medicine_code="buprenorphine_sl",
        medicine_name="Buprenorphine",
        kind="as_needed",
        dose_mg=4,
        min_interval_minutes=120,
        single_dose_max_mg=8,
        daily_max_mg=16,
        built_from="x",
        starts_at=D,
        signed_at=D,
        signed_by_name="x",
    )
    MedicationAdministration.objects.create(
        facility=facility, episode=first, order=order, status="given", dose_mg=4, at=D, by_name="x"
    )
    FollowUpTask.objects.create(
        facility=facility, episode=first, day=30, due_on=dt.date(2026, 12, 6), outcome="in_treatment"
    )
    FollowUpTask.objects.create(
        facility=facility, episode=second, day=30, due_on=dt.date(2026, 12, 10), outcome="relapsed"
    )
    return facility


def test_each_figure_on_known_data(history):
    figures, mean_stay = outcomes(history.pk, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    values = {f.key: f.value for f in figures}
    assert values == {
        "admissions": "4",
        "completion_rate": "67% (2/3)",
        "ama": "1",
        "mat_started": "25% (1/4)",
        "retention_30": "50% (1/2)",
        "readmissions_30": "33% (1/3)",
    }
    assert mean_stay == {
        "Inpatient, 24/7 medically monitored · Buprenorphine-assisted": 4.0,
        "Inpatient, 24/7 medically monitored · Methadone-assisted": 7.0,
    }
    assert all(f.definition for f in figures)


def test_report_page_csv_and_bad_dates(client_as, history):
    manager = client_as(Role.UNIT_MANAGER)
    page = manager.get("/outcomes/?start=2026-11-01&end=2026-11-30").content.decode()
    assert "Exactly how it is counted" in page
    assert "67% (2/3)" in page
    csv_text = manager.get("/outcomes/?start=2026-11-01&end=2026-11-30&format=csv").content.decode()
    assert "Completion rate,67% (2/3)" in csv_text
    assert manager.get("/outcomes/?start=2026-11-30&end=2026-11-01").status_code == 400
