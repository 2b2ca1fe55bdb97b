"""The append-only audit trail of every read and write of a patient's record."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from detoxflow.facilities.models import Facility


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event through the application."""


class Outcome(models.TextChoices):
    """Whether the audited request did what was asked."""

    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    REFUSED = "refused", "Refused (invalid request)"
    FAILED = "failed", "Failed"


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Bulk update and delete are the easy ways to rewrite history; both are closed."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.verbose_name} records cannot be updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.verbose_name} records cannot be deleted.")


AppendOnlyManager = models.Manager.from_queryset(AppendOnlyQuerySet)


class AppendOnlyModel(models.Model):
    """A record that is written once: the audit trail, the controlled-substance ledger."""

    objects = AppendOnlyManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError(f"{self._meta.verbose_name} records cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self._meta.verbose_name} records cannot be deleted.")


class AuditEvent(AppendOnlyModel):
    """One audited action. Names are copied in so the event outlives renamed or removed rows.

    `hash` covers every field and the previous event's hash, so an edit or a deletion
    anywhere breaks the chain that `python -m detoxflow audit verify` walks.
    """

    at = models.DateTimeField(db_index=True)
    facility = models.ForeignKey(
        Facility, on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )
    user_name = models.CharField(max_length=150)
    role = models.CharField(max_length=32, blank=True)
    # Plain ids, not foreign keys: the trail must never block or cascade from clinical data.
    patient_id = models.BigIntegerField(null=True, db_index=True)
    episode_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    client_address = models.GenericIPAddressField(null=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    detail = models.JSONField(default=dict)
    # One chain per facility (0: events of no facility, and the single chain of events before chains were
    # split), so one facility's writes never queue behind another's.
    chain = models.BigIntegerField(default=0)
    # 1: plain SHA-256 (events written before keyed hashing); 2: HMAC-SHA256 with AUDIT_HMAC_KEY.
    hash_version = models.PositiveSmallIntegerField(default=2)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["user", "at"], name="audit_user_at"),
            models.Index(fields=["chain", "id"], name="audit_chain_order"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_name} {self.action}"


class AuditChainHead(models.Model):
    """One chain's newest hash and event count (one row per facility chain).

    Locking it serialises that chain's appends only, and comparing it with the table detects a removed
    last event, which the chain alone could not show; the signed checkpoints outside the database catch
    a head that was reset too.
    """

    chain = models.BigIntegerField(unique=True)
    last_hash = models.CharField(max_length=64)
    event_count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.event_count} events, last {self.last_hash[:12]}"
