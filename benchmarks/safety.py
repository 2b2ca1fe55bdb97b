"""The dose safety check with a week of history: checks per second, pure and with the database read.

.venv/bin/python -m benchmarks.safety                       # pure rule only
DATABASE_URL=... .venv/bin/python -m benchmarks.safety --db  # plus loading the facts for one patient
"""

import datetime as dt
import os
import sys
import time
from decimal import Decimal

from detoxflow.clinical.formulary import FORMULARY, Family
from detoxflow.clinical.safety import GivenDose, Observation, OrderLimits, PatientFacts, check_dose

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
SECONDS = 2.0


def week_of_doses() -> tuple[GivenDose, ...]:
    """Buprenorphine every 4 h, clonidine every 6 h, ondansetron every 8 h, loperamide every 3 h, for 7 days."""
    plan = (("buprenorphine_sl", 4, "4"), ("clonidine", 6, "0.1"), ("ondansetron", 8, "4"), ("loperamide", 3, "2"))
    doses = []
    for code, every, mg in plan:
        hours = 7 * 24
        while hours > 0:
            doses.append(GivenDose(code, FORMULARY[code].family, Decimal(mg), NOW - dt.timedelta(hours=hours)))
            hours -= every
    return tuple(doses)


def pure() -> None:
    doses = week_of_doses()
    latest = Observation(
        at=NOW - dt.timedelta(minutes=10),
        cows=9,
        systolic_bp=122,
        diastolic_bp=78,
        heart_rate=84,
        respiratory_rate=15,
        spo2=97,
        sedation="1",
    )
    limits = OrderLimits(
        dose_mg=Decimal(4),
        min_interval_minutes=120,
        single_dose_max_mg=Decimal(8),
        daily_max_mg=Decimal(24),
        cows_at_least=8,
    )
    patient = PatientFacts(allergies=("Penicillin",), qtc_ms=430, last_opioid_use={"short_acting": NOW})
    families = frozenset({Family.ALPHA2_AGONIST, Family.ANTIEMETIC, Family.ANTIDIARRHOEAL})
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < SECONDS:
        check_dose(
            FORMULARY["buprenorphine_sl"],
            limits,
            patient=patient,
            latest=latest,
            doses=doses,
            active_families=families,
            now=NOW,
        )
        count += 1
    elapsed = time.perf_counter() - started
    print(
        f"pure check_dose, {len(doses)} doses of history: {count / elapsed:,.0f} checks/s "
        f"({elapsed / count * 1e6:.0f} µs each)"
    )


def with_database() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detoxflow.settings.test")
    import django  # noqa: PLC0415  (only this mode needs Django)

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from detoxflow.episodes.models import Episode  # noqa: PLC0415
    from detoxflow.medications.models import MedicationAdministration, MedicationRequest  # noqa: PLC0415
    from detoxflow.medications.queries import check_order, dose_context  # noqa: PLC0415

    call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", "--no-input", verbosity=0)
    call_command("seed", verbosity=0)
    episode = Episode.objects.filter(stage="stabilization").first()
    assert episode is not None
    orders = {}
    for code in ("buprenorphine_sl", "clonidine", "ondansetron", "loperamide"):
        medicine = FORMULARY[code]
        orders[code] = MedicationRequest.objects.create(
            facility_id=episode.facility_id,
            episode=episode,
            medicine_code=code,
            medicine_name=medicine.name,
            kind="as_needed",
            dose_mg=medicine.strengths_mg[0],
            min_interval_minutes=60,
            single_dose_max_mg=medicine.single_dose_max_mg,
            daily_max_mg=medicine.daily_max_mg,
            built_from="bench",
            starts_at=NOW - dt.timedelta(days=8),
            signed_at=NOW - dt.timedelta(days=8),
            signed_by_name="bench",
        )
    MedicationAdministration.objects.bulk_create(
        [
            MedicationAdministration(
                facility_id=episode.facility_id,
                episode=episode,
                order=orders[d.medicine_code],
                status="given",
                dose_mg=d.dose_mg,
                at=d.at,
                by_name="bench",
            )
            for d in week_of_doses()
        ]
    )
    order = orders["buprenorphine_sl"]
    with CaptureQueriesContext(connection) as loading:
        dose_context(episode, NOW)
    queries = len(loading.captured_queries)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < SECONDS:
        check_order(order, order.dose_mg, dose_context(episode, NOW), NOW)
        count += 1
    elapsed = time.perf_counter() - started
    print(
        f"{connection.vendor}: load facts + check, a week of history: {count / elapsed:,.0f} checks/s "
        f"({elapsed / count * 1000:.1f} ms each, {queries} queries)"
    )


if __name__ == "__main__":
    pure()
    if "--db" in sys.argv:
        with_database()
