"""Bulk exports: one row per `$export` request, so its status outlives the request that started it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from detoxflow.accounts.permissions import Action, role_may
from detoxflow.accounts.scope import ScopedQuerySet
from detoxflow.facilities.models import Facility
from detoxflow.patients.models import Patient

if TYPE_CHECKING:
    from detoxflow.accounts.models import User


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class BulkExportQuerySet(ScopedQuerySet["BulkExport"]):
    """Exports a user may read: the ones they started, and any whose scope they may read themselves."""

    def restrict(self, user: User, action: Action) -> Self:
        """A facility export is the whole facility's records, so only staff with no home unit read it (as only
        they may start one); a patient's export is readable by whoever may read that patient."""
        if not role_may(user.role, action):
            return self.none()
        rows = self.filter(facility_id=user.facility_id)
        if user.unit_id is None:
            return rows
        patients = Patient.objects.restrict(user, action).values("pk")
        return rows.filter(Q(requested_by=user) | Q(patient__isnull=False, patient__in=patients))


class BulkExport(models.Model):
    """A facility- or patient-level FHIR bulk export to one named recipient under their consents."""

    # A random id: the status URL is handed out, so it must not be guessable from another export's.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    types = models.JSONField()
    recipient = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300)
    request_url = models.CharField(max_length=2000)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_by_name = models.CharField(max_length=200)
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    written = models.PositiveBigIntegerField(default=0)
    # [{"type": "Observation", "count": 1234}], filled in when the export completes.
    output = models.JSONField(default=list)
    refused_patients = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(blank=True)
    # The background job (django-tasks result id) that runs it now. An export whose worker dies is run again by
    # a new job; `attempts` counts the runs started, and each run writes only while the count is still its own,
    # so a run presumed dead that wakes up cannot overwrite the retry's work.
    job_id = models.UUIDField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Last sign of life from the running job (claim, then every progress report); stale means its worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = BulkExportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Export {self.id} ({self.status})"
