"""The background queue: exports run as jobs, a dead worker's job is retried or failed (audited, shown to the
requester), periodic upkeep stays scheduled, and a job that raises is audited."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditChainHead, AuditEvent
from detoxflow.audit.services import read_checkpoints, verify_chain
from detoxflow.consent.models import Disclosure
from detoxflow.demo.synthetic import DEMO_RECIPIENT, more_charting, seed
from detoxflow.interop.fhir import bulk
from detoxflow.interop.models import BulkExport, ExportStatus
from detoxflow.jobs import services as jobs
from detoxflow.jobs.tasks import housekeeping, write_audit_checkpoints
from tests.builders import recorded_episode
from tests.queue import claim_and_abandon, run_queued_jobs

T0 = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
RECIPIENT = "Synthetic Recovery Clinic"  # the consent recorded_episode() files names this recipient
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _export_root(settings, tmp_path):
    settings.FHIR_EXPORT_ROOT = tmp_path / "exports"


@pytest.fixture
def physician(client_as, staff, patient, beds) -> Client:
    recorded_episode(staff, patient, beds[0], T0)
    client: Client = client_as(Role.PHYSICIAN)
    return client


def start_export(client: Client, recipient: str = RECIPIENT) -> tuple[str, BulkExport]:
    response = client.get(
        f"/fhir/$export?recipient={recipient}&purpose=continuing care", headers={"Prefer": "respond-async"}
    )
    assert response.status_code == 202, response.content
    return response["Content-Location"], BulkExport.objects.get()


def worker_dies_while_writing(export: BulkExport, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker claims the export's job, starts writing, and is killed: no code of ours runs after that."""
    claim_and_abandon(str(export.job_id))

    def killed(being_written: BulkExport) -> None:
        bulk.folder(being_written).mkdir(parents=True)
        (bulk.folder(being_written) / "Patient.ndjson").write_text('{"resourceType": "Pat')
        raise SystemExit("kill -9")

    with monkeypatch.context() as patch:
        patch.setattr(bulk, "_write", killed)
        with pytest.raises(SystemExit):
            bulk.run(export.pk)


def long_after_its_last_sign_of_life(export: BulkExport) -> dt.datetime:
    export.refresh_from_db()
    assert export.heartbeat_at is not None
    stalled_after: dt.timedelta = settings.BACKGROUND_JOB_STALLED_AFTER
    return export.heartbeat_at + stalled_after + dt.timedelta(seconds=1)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_starting_an_export_queues_its_job_in_the_same_transaction_and_the_worker_runs_it(physician):
    status_url, export = start_export(physician)
    job = DBTaskResult.objects.get(pk=export.job_id)
    assert (job.status, job.task_path, job.args_kwargs["args"]) == (
        TaskResultStatus.READY,
        bulk.run_fhir_export.module_path,
        [str(export.id)],
    )
    assert physician.get(status_url)["X-Progress"].startswith("queued")
    assert run_queued_jobs() == 1
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    manifest = physician.get(status_url).json()
    assert sum(o["count"] for o in manifest["output"]) > 0
    assert BulkExport.objects.get().attempts == 1


def test_a_refused_export_queues_no_job(physician):
    response = physician.get("/fhir/$export?recipient=&purpose=care", headers={"Prefer": "respond-async"})
    assert response.status_code == 400
    assert not BulkExport.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_an_export_whose_worker_died_is_retried_by_housekeeping_and_finishes(physician, monkeypatch):
    status_url, export = start_export(physician)
    lost_job = export.job_id
    worker_dies_while_writing(export, monkeypatch)
    assert physician.get(status_url)["X-Progress"].startswith("running")

    # Not yet: a run that reported progress within the stall window is alive, however long it takes.
    assert jobs.recover_abandoned(timezone.now()) == {"exports": 0, "jobs": 0}
    assert BulkExport.objects.get().status == ExportStatus.RUNNING

    assert jobs.recover_abandoned(long_after_its_last_sign_of_life(export)) == {"exports": 1, "jobs": 0}
    export.refresh_from_db()
    assert (export.status, export.attempts) == (ExportStatus.QUEUED, 1)
    assert export.job_id != lost_job
    lost = DBTaskResult.objects.get(pk=lost_job)
    assert (lost.status, lost.exception_class_path) == (TaskResultStatus.FAILED, "detoxflow.jobs.services.WorkerLost")
    assert not (Path(settings.FHIR_EXPORT_ROOT) / str(export.id) / "run-1").exists()  # the lost run's partial file
    (retry,) = events("fhir.export.retry")
    assert (retry.outcome, retry.object_id, retry.detail["attempt_lost"]) == ("failed", str(export.id), 1)
    assert "will retry (attempt 2 of 2)" in physician.get(status_url)["X-Progress"]

    assert run_queued_jobs() == 1
    export.refresh_from_db()
    assert (export.status, export.attempts) == (ExportStatus.COMPLETED, 2)
    manifest = physician.get(status_url).json()
    for entry in manifest["output"]:
        lines = physician.get(entry["url"]).getvalue().decode().splitlines()
        assert len(lines) == entry["count"]
    assert events("fhir.export.complete")
    assert verify_chain().intact


def test_an_export_whose_worker_died_on_its_last_attempt_fails_audited_and_tells_the_requester(
    physician, monkeypatch, settings
):
    settings.BACKGROUND_JOB_ATTEMPTS = 1
    status_url, export = start_export(physician)
    worker_dies_while_writing(export, monkeypatch)
    jobs.recover_abandoned(long_after_its_last_sign_of_life(export))
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert not (Path(settings.FHIR_EXPORT_ROOT) / str(export.id)).exists()
    (failed,) = events("fhir.export.fail")
    assert (failed.outcome, failed.facility_id, failed.user_name) == (
        "failed",
        export.facility_id,
        export.requested_by_name,
    )
    answer = physician.get(status_url)
    assert answer.status_code == 500
    diagnostics = answer.json()["issue"][0]["diagnostics"]
    assert "background worker running it stopped" in diagnostics
    assert "tried once" in diagnostics
    assert not Disclosure.objects.exists()
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=bulk.run_fhir_export.module_path)


def test_an_export_that_raises_fails_audited_with_its_reason(physician, monkeypatch):
    status_url, export = start_export(physician)

    def broken(being_written: BulkExport) -> None:
        raise ValueError("synthetic disk full")

    monkeypatch.setattr(bulk, "_write", broken)
    run_queued_jobs()
    (failed,) = events("fhir.export.fail")
    assert "synthetic disk full" in failed.detail["failure"]
    assert "synthetic disk full" in physician.get(status_url).json()["issue"][0]["diagnostics"]


def test_a_run_presumed_dead_that_wakes_up_cannot_overwrite_its_retry(physician, monkeypatch):
    _, export = start_export(physician)
    claim_and_abandon(str(export.job_id))
    paused: dict[str, Any] = {}

    def pauses(being_written: BulkExport) -> None:  # e.g. the machine froze: the run stops but is not dead
        paused["run"] = being_written
        raise SystemExit("frozen")

    with monkeypatch.context() as patch:
        patch.setattr(bulk, "_write", pauses)
        with pytest.raises(SystemExit):
            bulk.run(export.pk)
    jobs.recover_abandoned(long_after_its_last_sign_of_life(export))
    run_queued_jobs()
    done = BulkExport.objects.get()
    disclosures = Disclosure.objects.count()
    assert (done.status, done.attempts) == (ExportStatus.COMPLETED, 2)

    bulk._write(paused["run"])  # the first run wakes and writes the whole export again
    assert BulkExport.objects.get().output == done.output
    assert BulkExport.objects.get().finished_at == done.finished_at
    assert Disclosure.objects.count() == disclosures
    assert not bulk.folder(paused["run"]).exists()  # its own files, not the retry's, are removed
    assert bulk.folder(done).exists()


def test_a_queued_export_whose_job_ended_without_running_it_is_retried(physician):
    _, export = start_export(physician)
    DBTaskResult.objects.filter(pk=export.job_id).update(status=TaskResultStatus.FAILED)
    jobs.recover_abandoned(timezone.now())
    assert BulkExport.objects.get().job_id == export.job_id  # just queued: not stranded yet
    jobs.recover_abandoned(export.requested_at + settings.BACKGROUND_JOB_STALLED_AFTER + dt.timedelta(seconds=1))
    export.refresh_from_db()
    assert export.job_id != DBTaskResult.objects.get(status=TaskResultStatus.FAILED).pk
    assert run_queued_jobs() == 1
    assert BulkExport.objects.get().status == ExportStatus.COMPLETED


def test_another_job_left_running_by_a_dead_worker_is_failed_and_audited(db):
    job = housekeeping.enqueue()
    claimed = claim_and_abandon(job.id)
    assert claimed.started_at is not None
    assert jobs.recover_abandoned(timezone.now())["jobs"] == 0
    later = claimed.started_at + settings.BACKGROUND_JOB_STALLED_AFTER + dt.timedelta(seconds=1)
    assert jobs.recover_abandoned(later)["jobs"] == 1
    claimed.refresh_from_db()
    assert claimed.status == TaskResultStatus.FAILED
    (failed,) = events("job.fail")
    assert (failed.object_id, failed.detail["task"], failed.user_name) == (
        job.id,
        housekeeping.module_path,
        jobs.WORKER_NAME,
    )


def test_a_job_that_raises_is_audited(db, monkeypatch):
    def broken(now: dt.datetime) -> dict[str, int]:
        raise RuntimeError("synthetic")

    monkeypatch.setattr("detoxflow.jobs.tasks.recover_abandoned", broken)
    job = housekeeping.enqueue()
    run_queued_jobs()
    assert DBTaskResult.objects.get(pk=job.id).status == TaskResultStatus.FAILED
    (failed,) = events("job.fail")
    assert failed.detail == {"task": housekeeping.module_path, "why": "builtins.RuntimeError"}


def test_periodic_jobs_queue_their_next_run_and_settle_to_one(db):
    housekeeping.enqueue()
    housekeeping.enqueue()  # two workers started at once
    before = timezone.now()
    run_queued_jobs()
    waiting = DBTaskResult.objects.filter(task_path=housekeeping.module_path, status=TaskResultStatus.READY)
    assert waiting.count() == 1
    every: dt.timedelta = settings.HOUSEKEEPING_EVERY
    assert before + every <= waiting.get().run_after <= timezone.now() + every
    jobs.keep_scheduled(housekeeping, every, timezone.now())
    assert waiting.count() == 1


def test_audit_checkpoints_are_written_on_a_clock(physician):
    before = len(read_checkpoints()[0])
    chains = set(AuditChainHead.objects.values_list("chain", flat=True))
    assert physician.get("/").status_code == 200  # a facility's chain as well as chain 0
    write_audit_checkpoints.enqueue()
    run_queued_jobs()
    written, problems = read_checkpoints()
    assert not problems
    assert {c.chain for c in written[before:]} == chains
    assert DBTaskResult.objects.filter(task_path=write_audit_checkpoints.module_path, status="READY").count() == 1


def _worker(env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603  (this interpreter, our own manage.py)
        [sys.executable, "manage.py", "worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_export_whose_worker_process_is_killed_finishes_on_a_new_worker(settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process; the SQLite test database lives in this one's memory")
    seed(1, patients_per_facility=30, history_days=10, now=timezone.now())
    physician = User.objects.get(username="physician")
    more_charting(physician.facility, 4000)  # enough that the export is still running when its worker is killed
    client = Client()
    client.force_login(physician)
    status_url, export = start_export(client, DEMO_RECIPIENT)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "detoxflow.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "FHIR_EXPORT_ROOT": str(settings.FHIR_EXPORT_ROOT),
    }
    first = _worker(env)
    try:
        deadline = time.monotonic() + 60
        while BulkExport.objects.get().status == ExportStatus.QUEUED and time.monotonic() < deadline:
            time.sleep(0.02)
        assert BulkExport.objects.get().status == ExportStatus.RUNNING
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=10)
    export.refresh_from_db()
    assert export.status == ExportStatus.RUNNING, "the export finished before its worker could be killed"
    assert DBTaskResult.objects.get(pk=export.job_id).status == TaskResultStatus.RUNNING

    jobs.recover_abandoned(long_after_its_last_sign_of_life(export))
    assert BulkExport.objects.get().status == ExportStatus.QUEUED
    second = _worker(env, "--batch")
    _, errors = second.communicate(timeout=180)
    assert second.returncode == 0, errors.decode()
    export.refresh_from_db()
    assert (export.status, export.attempts, export.written) == (ExportStatus.COMPLETED, 2, export.written)
    assert export.written >= 4000
    manifest = client.get(status_url).json()
    assert sum(o["count"] for o in manifest["output"]) == export.written
    assert [e.detail["attempt_lost"] for e in events("fhir.export.retry")] == [1]
