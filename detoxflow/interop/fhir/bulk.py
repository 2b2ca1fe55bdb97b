"""FHIR bulk export (`$export`): NDJSON files per resource type, written as a stream, under the recipient's consents.

Every export names a recipient and a purpose. A patient's resources go out only in the categories an active
consent for that recipient covers (reference §15); patients with none are listed as refused, with the reason,
in the export's OperationOutcome file. Each category sent for a patient is logged as a disclosure, so it appears
on that patient's accounting of disclosures.

Memory stays flat in the number of resources: rows are read in chunks with a server-side iterator and each
resource is written as soon as it is built. What grows is per patient (which categories their consent covers).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult
from fhir.resources.R4B.operationoutcome import OperationOutcome

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action
from detoxflow.audit.models import Outcome
from detoxflow.audit.services import record_event
from detoxflow.consent.coverage import (
    NOTICE_SOURCE,
    REDISCLOSURE_NOTICE,
    Category,
    ConsentTerms,
    covering,
    same_recipient,
)
from detoxflow.consent.models import Consent, Disclosure
from detoxflow.errors import InvalidInput
from detoxflow.interop.fhir.registry import KINDS, ResourceKind
from detoxflow.interop.models import BulkExport, ExportStatus
from detoxflow.patients.models import Patient

CHUNK = 1000  # rows per database round trip; FHIR_EXPORT_CHUNK overrides it
PROGRESS_EVERY = 5000
CATEGORIES = (Category.MEDICATIONS, Category.ASSESSMENTS, Category.DISCHARGE_SUMMARY)
REFUSED_FILE = "OperationOutcome.ndjson"


class ExportOrphaned(Exception):
    """The export's starter is gone, so there is nobody whose reach it could be read with."""


def folder(export: BulkExport) -> Path:
    """The current run's files. Each run writes its own folder, so a run presumed dead that wakes up cannot
    write into its retry's files."""
    return _export_folder(export) / f"run-{export.attempts}"


def _export_folder(export: BulkExport) -> Path:
    return Path(settings.FHIR_EXPORT_ROOT) / str(export.id)


def kick_off(
    actor: User,
    *,
    patient: Patient | None,
    types: list[str],
    recipient: str,
    purpose: str,
    request_url: str,
    now: dt.datetime,
    address: str | None,
) -> BulkExport:
    """Record an export and queue it for the background worker (`manage.py worker`)."""
    unknown = [t for t in types if t not in KINDS]
    if unknown:
        raise InvalidInput("_type", f"{unknown[0]} is not a resource type this server exports.")
    if not recipient.strip():
        raise InvalidInput("recipient", "Name who receives the export; consents are checked against this name.")
    if not purpose.strip():
        raise InvalidInput("purpose", "State the purpose of the disclosure.")
    with transaction.atomic():
        export = BulkExport.objects.create(
            facility_id=actor.facility_id,
            patient=patient,
            types=types or list(KINDS),
            recipient=recipient.strip(),
            purpose=purpose.strip(),
            request_url=request_url[:2000],
            requested_by=actor,
            requested_by_name=actor.display_name,
            requested_at=now,
        )
        record_event(
            actor=actor,
            action="fhir.export.start",
            patient_id=patient.pk if patient else None,
            object_type="BulkExport",
            object_id=str(export.id),
            address=address,
            detail={"recipient": export.recipient, "types": export.types},
        )
        _queue(export)
    return export


def _queue(export: BulkExport) -> None:
    """Put the export's next run on the background queue, in the caller's transaction: the job exists iff the
    export does (the queue is a table in the same database)."""
    job = run_fhir_export.enqueue(str(export.id))
    BulkExport.objects.filter(pk=export.pk).update(job_id=job.id)
    export.job_id = uuid.UUID(job.id)


class _Consents:
    """Per patient and category, the consent that lets it out to this recipient; or why none does."""

    def __init__(self, export: BulkExport, starter: User, today: dt.date) -> None:
        terms: dict[int, list[ConsentTerms]] = {}
        rows = Consent.objects.restrict(starter, Action.DISCLOSE)
        if export.patient_id:
            rows = rows.filter(patient_id=export.patient_id)
        for c in rows.iterator(chunk_size=CHUNK):
            if same_recipient(c.recipient, export.recipient):
                categories = frozenset(Category(x) for x in c.categories)
                terms.setdefault(c.patient_id, []).append(
                    ConsentTerms(c.pk, c.recipient, categories, c.starts, c.expires, c.revoked_on)
                )
        self.covered: dict[tuple[int, Category], int] = {}
        self.refused: dict[int, str] = {}
        patients = Patient.objects.restrict(starter, Action.DISCLOSE)
        if export.patient_id:
            patients = patients.filter(pk=export.patient_id)
        for patient_id in patients.values_list("pk", flat=True).iterator(chunk_size=CHUNK):
            reasons: dict[Category, str] = {}
            for category in CATEGORIES:
                consent_id, reasons[category] = covering(terms.get(patient_id, []), export.recipient, category, today)
                if consent_id is not None:
                    self.covered[(patient_id, category)] = consent_id
            if not any((patient_id, c) in self.covered for c in CATEGORIES):
                self.refused[patient_id] = _one_reason(reasons)
        self.sent: set[tuple[int, Category]] = set()

    def lets_out(self, kind: ResourceKind, row: Any, recipient: str) -> bool:
        if kind.category is None:
            if kind.name == "Consent" and not same_recipient(row.recipient, recipient):
                return False  # another recipient's consent is not this recipient's business
            return row.subject_id not in self.refused
        key = (row.subject_id, kind.category)
        if key in self.covered:
            self.sent.add(key)
            return True
        return False


def _one_reason(reasons: dict[Category, str]) -> str:
    if len(set(reasons.values())) == 1:
        return next(iter(reasons.values()))
    return " ".join(f"{category.label}: {reason}" for category, reason in reasons.items())


def _rows(export: BulkExport, starter: User, kind: ResourceKind) -> Iterator[Any]:
    rows = kind.scoped(starter, Action.DISCLOSE)
    if export.patient_id:
        rows = rows.filter(subject_id=export.patient_id)
    return rows.iterator(chunk_size=getattr(settings, "FHIR_EXPORT_CHUNK", CHUNK))


@task()
def run_fhir_export(export_id: str) -> None:
    """The background job (`manage.py worker`) that writes one queued export."""
    run(export_id)


def run(export_id: Any) -> None:
    """Write the export's files; a failure is kept on the export (and shown on its status URL), never half-listed."""
    now = timezone.now()
    claimed = BulkExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, attempts=F("attempts") + 1, heartbeat_at=now
    )
    if not claimed:
        return
    export = BulkExport.objects.select_related("requested_by").get(pk=export_id)
    try:
        _write(export)
    except Exception as failure:  # noqa: BLE001  (any failure must end on the status URL, not in a dead worker)
        _fail(export, f"{type(failure).__name__}: {failure}")


def _this_run(export: BulkExport) -> Any:
    """The export's row while this run still owns it (running, and no later attempt has started)."""
    return BulkExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING, attempts=export.attempts)


def _fail(export: BulkExport, failure: str) -> None:
    """End the export failed, with the reason its requester reads on the status URL, and audit it."""
    shutil.rmtree(_export_folder(export), ignore_errors=True)
    with transaction.atomic():
        ended = BulkExport.objects.filter(
            pk=export.pk, status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING), attempts=export.attempts
        ).update(status=ExportStatus.FAILED, failure=failure, finished_at=timezone.now())
        if ended:
            _audit_run(export, "fhir.export.fail", {"failure": failure[:500], "attempts": export.attempts})


def _audit_run(export: BulkExport, action: str, detail: dict[str, Any], outcome: str = Outcome.FAILED) -> None:
    """What the background run did, in the name of whoever asked for the export."""
    record_event(
        actor=None,
        user_name=export.requested_by_name,
        action=action,
        outcome=outcome,
        facility_id=export.facility_id,
        patient_id=export.patient_id,
        object_type="BulkExport",
        object_id=str(export.id),
        detail=detail,
    )


def recover_abandoned(now: dt.datetime) -> list[BulkExport]:
    """Exports whose worker died: run again while attempts remain, else failed and audited.

    A running export reports progress every few seconds; one silent for BACKGROUND_JOB_STALLED_AFTER lost its
    worker. A queued export whose job ended without claiming it (its worker failed before our code ran) is
    stranded the same way. Returns the exports it acted on.
    """
    stale = now - settings.BACKGROUND_JOB_STALLED_AFTER
    silent = BulkExport.objects.filter(status=ExportStatus.RUNNING, heartbeat_at__lt=stale)
    pending_jobs = DBTaskResult.objects.filter(status__in=("READY", "RUNNING")).values("id")
    stranded = BulkExport.objects.filter(status=ExportStatus.QUEUED, requested_at__lt=stale).exclude(
        job_id__in=pending_jobs
    )
    acted: list[BulkExport] = []
    for export_id in list(silent.values_list("pk", flat=True)) + list(stranded.values_list("pk", flat=True)):
        with transaction.atomic():
            export = (
                BulkExport.objects.select_for_update()
                .filter(pk=export_id, status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING))
                .first()
            )
            if export is None or (export.heartbeat_at or export.requested_at) >= stale:
                continue  # finished, or showed life, since it was listed
            if export.job_id:
                DBTaskResult.objects.filter(pk=export.job_id, status="RUNNING").update(
                    status="FAILED",
                    finished_at=now,
                    exception_class_path="detoxflow.jobs.services.WorkerLost",
                    traceback=f"No sign of life since {export.heartbeat_at or export.requested_at:%Y-%m-%d %H:%M %Z}.",
                )
            if export.attempts < settings.BACKGROUND_JOB_ATTEMPTS:
                _retry(export)
            else:
                _fail(export, _lost_worker(export))
            acted.append(export)
    return acted


def _lost_worker(export: BulkExport) -> str:
    last = export.heartbeat_at or export.requested_at
    tries = "once" if export.attempts <= 1 else f"{export.attempts} times"
    return (
        f"The background worker running it stopped (no sign of life since {last:%Y-%m-%d %H:%M %Z}); "
        f"it was tried {tries}. Start the export again."
    )


def _retry(export: BulkExport) -> None:
    shutil.rmtree(folder(export), ignore_errors=True)  # the lost run's partial files
    BulkExport.objects.filter(pk=export.pk).update(status=ExportStatus.QUEUED, written=0, heartbeat_at=None)
    _queue(export)
    _audit_run(
        export,
        "fhir.export.retry",
        {"attempt_lost": export.attempts, "reason": "worker stopped", "next_job": str(export.job_id)},
    )


def _write(export: BulkExport) -> None:
    # The export reads as its starter may (kick_off checked them for its scope): a facility export reads their
    # facility, a patient's export that patient within their unit's reach.
    starter = export.requested_by
    if starter is None:
        raise ExportOrphaned("the account that started it has been removed")
    consents = _Consents(export, starter, timezone.localdate())
    target = folder(export)
    target.mkdir(parents=True, exist_ok=True)
    output, written, read = [], 0, 0
    for name in export.types:
        kind, count = KINDS[name], 0
        with (target / f"{name}.ndjson").open("w", encoding="utf-8") as ndjson:
            for row in _rows(export, starter, kind):
                # Progress counts rows read, not written: many rows kept back by consents still show life.
                read += 1
                if read % PROGRESS_EVERY == 0 and not _still_wanted(export, written):
                    shutil.rmtree(target, ignore_errors=True)
                    return
                if not consents.lets_out(kind, row, export.recipient):
                    continue
                ndjson.write(_validated_line(kind, row))
                count += 1
                written += 1
        output.append({"type": name, "count": count})
    with (target / REFUSED_FILE).open("w", encoding="utf-8") as ndjson:
        for patient_id, reason in consents.refused.items():
            ndjson.write(_refusal(patient_id, reason).model_dump_json(exclude_none=True))
            ndjson.write("\n")
    with transaction.atomic():
        completed = _this_run(export).update(
            status=ExportStatus.COMPLETED,
            written=written,
            output=output,
            refused_patients=len(consents.refused),
            finished_at=timezone.now(),
        )
        if completed:
            _log_disclosures(export, consents)
    if not completed:  # deleted while the last file was being written, or this run was presumed dead
        shutil.rmtree(target, ignore_errors=True)


def _validated_line(kind: ResourceKind, row: Any) -> str:
    """One NDJSON line: the resource's document, validated by fhir.resources like every resource we serve.

    The document is written as it was checked rather than through the model's own serializer, which costs more
    than building and validating together (`benchmarks/export.py`); tests hold each kind's document equal to
    the model's output, so the two cannot drift apart.
    """
    document = kind.document(row)
    kind.model.model_validate(document)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def _still_wanted(export: BulkExport, written: int) -> bool:
    """Report progress (the run's sign of life); False once the export has been cancelled or given to a retry."""
    return bool(_this_run(export).update(written=written, heartbeat_at=timezone.now()))


def _refusal(patient_id: int, reason: str) -> OperationOutcome:
    return OperationOutcome.model_validate(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "information",
                    "code": "suppressed",
                    "diagnostics": f"Patient/{patient_id} not exported: {reason}",
                    "expression": [f"Patient/{patient_id}"],
                }
            ],
        }
    )


def _log_disclosures(export: BulkExport, consents: _Consents) -> None:
    """One disclosure per patient and category sent, each with its consent and the redisclosure notice."""
    notice = f"{REDISCLOSURE_NOTICE} ({NOTICE_SOURCE})"
    what = f"FHIR bulk export {export.id}"
    now = timezone.now()
    batch: list[Disclosure] = []
    for patient_id, category in sorted(consents.sent):
        batch.append(
            Disclosure(
                facility_id=export.facility_id,
                patient_id=patient_id,
                consent_id=consents.covered[(patient_id, category)],
                recipient=export.recipient,
                category=category.value,
                purpose=export.purpose,
                what=what,
                notice=notice,
                at=now,
                by_name=export.requested_by_name,
            )
        )
        if len(batch) >= CHUNK:
            Disclosure.objects.bulk_create(batch)
            batch.clear()
    Disclosure.objects.bulk_create(batch)
    _audit_run(
        export,
        "fhir.export.complete",
        {"disclosures": len(consents.sent), "refused_patients": len(consents.refused)},
        outcome=Outcome.SUCCESS,
    )


def delete(actor: User, export: BulkExport, *, address: str | None) -> None:
    """Stop a running export (it notices at its next progress report) or retire a finished one; remove its files."""
    with transaction.atomic():
        BulkExport.objects.filter(pk=export.pk).update(status=ExportStatus.CANCELLED, finished_at=timezone.now())
        record_event(
            actor=actor,
            action="fhir.export.delete",
            object_type="BulkExport",
            object_id=str(export.id),
            address=address,
        )
    shutil.rmtree(_export_folder(export), ignore_errors=True)
