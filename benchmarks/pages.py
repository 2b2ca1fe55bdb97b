"""Census and patient page at 1, 10 and 100 facilities' worth of history.

Prints, per size: rows in the database, median and p95 latency of each page (in-process Django
test client, so no network in the figure) and the queries each page issued. The query count must
not change with size; tests/facilities/test_queries.py asserts that, this shows it at scale.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python -m benchmarks.pages
"""

import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detoxflow.settings.test")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402  (settings must be chosen before Django loads)

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from detoxflow.accounts.models import User  # noqa: E402
from detoxflow.accounts.permissions import Role  # noqa: E402
from detoxflow.demo.synthetic import seed  # noqa: E402
from detoxflow.episodes.models import Episode, StageTransition  # noqa: E402
from detoxflow.facilities.models import Unit  # noqa: E402
from detoxflow.patients.models import Patient  # noqa: E402

SIZES = (1, 10, 100)
PATIENTS_PER_FACILITY = 240
REQUESTS = 60


def measure(client: Client, url: str) -> tuple[float, float, int]:
    """Median and p95 milliseconds over REQUESTS requests, and the queries of one request."""
    client.get(url)  # warm caches and the template loader
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # Read now: every request starts by clearing the query log, so the capture empties on the next one.
    query_count = len(queries)
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], query_count


def main() -> None:
    call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", "--no-input", verbosity=0)
    print(f"database: {connection.vendor}; {REQUESTS} requests per page; {PATIENTS_PER_FACILITY} patients per facility")
    print(
        f"{'facilities':>10} {'patients':>9} {'episodes':>9} {'stage changes':>13}  {'page':<8}"
        f" {'median ms':>9} {'p95 ms':>7} {'queries':>7}"
    )
    seeded = 0
    for size in SIZES:
        started = time.perf_counter()
        counts = seed(
            size - seeded,
            patients_per_facility=PATIENTS_PER_FACILITY,
            history_days=90,
            now=timezone.now(),
            seed_value=size,
        )
        seeded = size
        rate = counts.rows / (time.perf_counter() - started)
        manager = User.objects.get(username="manager")
        client = Client()
        client.force_login(manager)
        unit = Unit.objects.filter(facility_id=manager.facility_id).order_by("pk").first()
        patient = Patient.objects.filter(facility_id=manager.facility_id, episodes__isnull=False).order_by("pk").first()
        assert unit is not None
        assert patient is not None
        assert manager.role == Role.UNIT_MANAGER
        totals = (Patient.objects.count(), Episode.objects.count(), StageTransition.objects.count())
        for page, url in (("census", f"/units/{unit.pk}/census/"), ("patient", f"/patients/{patient.pk}/")):
            median, p95, queries = measure(client, url)
            print(
                f"{size:>10} {totals[0]:>9} {totals[1]:>9} {totals[2]:>13}  {page:<8}"
                f" {median:>9.1f} {p95:>7.1f} {queries:>7}"
            )
        print(f"{'':>10} seeded {counts.rows:,} rows at {rate:,.0f} rows/s")


if __name__ == "__main__":
    main()
