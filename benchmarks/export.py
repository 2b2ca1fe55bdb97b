"""FHIR bulk export at growing sizes: resources per second and peak memory, on DATABASE_URL.

Seeds the demo facility (about a third of its patients consent to share with one synthetic clinic), then grows
the consenting patients' COWS charting by bulk insert until a facility-level export to that clinic writes each
size in BENCH_EXPORT_SIZES (default 10,000, 100,000 and 1,000,000 resources). Each export runs in a fresh
process, so that process's peak resident memory is the export's own; memory is flat when the peak does not
grow with the size. The export is the one `$export` starts (consents checked, disclosures logged), run as the
worker command runs it.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python -m benchmarks.export
    BENCH_EXPORT_SIZES=10000,100000 DATABASE_URL=... .venv/bin/python -m benchmarks.export
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = [int(n) for n in os.environ.get("BENCH_EXPORT_SIZES", "10000,100000,1000000").split(",")]
ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detoxflow.settings.test")
    import django  # noqa: PLC0415  (Django only after the settings module is chosen)

    django.setup()


def resident_kib() -> int:
    """Resident memory now (not the peak), from /proc: the baseline the export's peak is compared with."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def export_once() -> None:
    """Child process: one facility-level export to the demo recipient; prints what it wrote and what it cost."""
    setup_django()
    from django.conf import settings  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from detoxflow.accounts.models import User  # noqa: PLC0415
    from detoxflow.consent.models import Consent  # noqa: PLC0415
    from detoxflow.demo.synthetic import DEMO_RECIPIENT  # noqa: PLC0415
    from detoxflow.interop.fhir import bulk  # noqa: PLC0415
    from detoxflow.interop.models import BulkExport  # noqa: PLC0415
    from detoxflow.patients.models import Patient  # noqa: PLC0415

    settings.FHIR_EXPORT_ROOT = Path(tempfile.mkdtemp(prefix="detoxflow-export-bench-"))
    physician = User.objects.get(username="physician")
    consenting = Consent.objects.filter(facility_id=physician.facility_id).values_list("patient_id", flat=True)

    def kick_off(patient_id: int | None) -> BulkExport:
        return bulk.kick_off(
            physician,
            patient=None if patient_id is None else Patient.objects.get(pk=patient_id),
            types=[],
            recipient=DEMO_RECIPIENT,
            purpose="benchmark",
            request_url="/fhir/$export",
            now=timezone.now(),
            address=None,
        )

    # A one-patient export first: pydantic builds its validators on first use, a fixed cost that is not the export's.
    warm_up = kick_off(consenting.first())
    bulk.run(warm_up.pk)
    baseline = resident_kib()
    export = kick_off(None)
    started = time.perf_counter()
    bulk.run(export.pk)
    seconds = time.perf_counter() - started
    export.refresh_from_db()
    if export.status != "completed":
        raise SystemExit(f"export {export.id} ended {export.status}: {export.failure}")
    size = sum(f.stat().st_size for f in bulk.folder(export).iterdir())
    for done in (warm_up, export):
        bulk.delete(physician, done, address=None)
    print(
        json.dumps(
            {
                "written": export.written,
                "seconds": seconds,
                "baseline_kib": baseline,
                "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "ndjson_bytes": size,
            }
        )
    )


def run_child() -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.export", "--export-once"],  # noqa: S603  (our own module)
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    setup_django()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    from detoxflow.demo.synthetic import more_charting  # noqa: PLC0415
    from detoxflow.facilities.models import Facility  # noqa: PLC0415

    call_command("migrate", "--no-input", verbosity=0)
    call_command("flush", "--no-input", verbosity=0)
    call_command("seed", "--patients-per-facility", "240", verbosity=0)
    facility = Facility.objects.get()
    written = int(run_child()["written"])
    print(f"{connection.vendor}: facility-level $export of the demo facility, each size in a fresh process")
    print(f"{'resources':>10} {'seconds':>8} {'resources/s':>12} {'peak RSS':>9} {'over baseline':>14} {'NDJSON':>8}")
    for target in SIZES:
        if target > written:
            started = time.perf_counter()
            more_charting(facility, target - written)
            grown = time.perf_counter() - started
            print(f"{'':>10} (added {target - written:,} assessments in {grown:.0f} s)")
        result = run_child()
        written = int(result["written"])
        print(
            f"{written:>10,} {result['seconds']:>8.1f} {written / result['seconds']:>12,.0f} "
            f"{result['peak_kib'] / 1024:>7.0f} MB {(result['peak_kib'] - result['baseline_kib']) / 1024:>11.0f} MB "
            f"{result['ndjson_bytes'] / 2**20:>5.0f} MB"
        )


if __name__ == "__main__":
    if "--export-once" in sys.argv:
        export_once()
    else:
        main()
