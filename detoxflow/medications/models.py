"""Medication orders and the medication administration record (MAR)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from detoxflow.accounts.scope import ScopedQuerySet
from detoxflow.audit.models import AppendOnlyModel, AppendOnlyQuerySet
from detoxflow.clinical.protocols import OrderKind
from detoxflow.episodes.models import Episode
from detoxflow.facilities.models import Facility

KIND_CHOICES = [(k.value, k.label) for k in OrderKind]


class MedicationRequest(models.Model):
    """A signed order. Its limits are copied in at signing, so editing a protocol never changes it."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="orders")
    medicine_code = models.CharField(max_length=64)
    medicine_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    dose_mg = models.DecimalField(max_digits=8, decimal_places=2)
    min_interval_minutes = models.PositiveIntegerField()
    single_dose_max_mg = models.DecimalField(max_digits=8, decimal_places=2)
    daily_max_mg = models.DecimalField(max_digits=8, decimal_places=2)
    cows_at_least = models.PositiveSmallIntegerField(null=True, blank=True)
    first_dose_max_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    first_day_max_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    instructions = models.TextField(blank=True)
    # What the order was built from: "Buprenorphine induction (symptom-triggered), published protocol" or "by hand".
    built_from = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    signed_at = models.DateTimeField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    signed_by_name = models.CharField(max_length=200)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by_name = models.CharField(max_length=200, blank=True)
    stop_reason = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()
    patient_path = "episode__patient_id"

    class Meta:
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        # Read aloud in choice lists (the taper's order select): the clinic's words, never the stored code.
        return f"{self.medicine_name} {self.dose_mg.normalize():f} mg · {OrderKind(self.kind).label}"

    @property
    def active(self) -> bool:
        return self.stopped_at is None


class OverrideScope(models.TextChoices):
    """What a physician's override covers: one dose, or every dose until a time."""

    NEXT_DOSE = "next_dose", "The next dose only"
    UNTIL = "until", "Doses until a time"


class SafetyOverride(models.Model):
    """A physician's authorisation to set aside named hard stops of one order, for one dose or a window.

    The physician decides; the nurse who then records the dose is the one who gives it. An authorisation
    covers only the hard stops it names, and only once (next dose) or before `valid_until`.
    """

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    order = models.ForeignKey(MedicationRequest, on_delete=models.PROTECT, related_name="overrides")
    scope = models.CharField(max_length=16, choices=OverrideScope.choices)
    # ["cows-required", "induction-cows"]: the rule ids of the hard stops set aside.
    rule_ids = models.JSONField()
    # The hard stops as they stood when the physician authorised: [{"rule_id", "message", "source"}].
    hard_stops = models.JSONField(default=list)
    reason = models.TextField()
    authorised_at = models.DateTimeField()
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    authorised_by_name = models.CharField(max_length=200)
    # A next-dose authorisation lapses too: a stop set aside for a dose not given soon no longer fits the patient.
    valid_until = models.DateTimeField()
    # When a next-dose authorisation let its dose through; set under the order's row lock, so only once.
    used_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    patient_path = "order__episode__patient_id"

    class Meta:
        ordering = ["order", "-authorised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("authorised_at")), name="override_ends_after_it_starts"
            )
        ]

    def __str__(self) -> str:
        return f"Override of {self.order} by {self.authorised_by_name}"

    def lets_through(self, rule_ids: set[str], now: dt.datetime) -> bool:
        """Whether this authorisation, at `now`, covers every one of the hard stops named."""
        if now < self.authorised_at or now >= self.valid_until:
            return False
        if self.scope == OverrideScope.NEXT_DOSE and self.used_at is not None:
            return False
        return rule_ids <= set(self.rule_ids)


class AdministrationStatus(models.TextChoices):
    """What happened to a dose."""

    GIVEN = "given", "Given"
    HELD = "held", "Held"
    REFUSED = "refused", "Refused by patient"
    NOT_AVAILABLE = "not_available", "Not available"


class MedicationAdministration(models.Model):
    """One entry on the MAR. A scheduled slot can be recorded only once; the database guarantees it."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="administrations")
    order = models.ForeignKey(MedicationRequest, on_delete=models.PROTECT, related_name="administrations")
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=AdministrationStatus.choices)
    dose_mg = models.DecimalField(max_digits=8, decimal_places=2)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_name = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    # The safety check as it stood: [{"rule_id", "message", "source"}], kept so the record shows what was known.
    hard_stops = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    # The physician's authorisation the dose went through on, if a hard stop stood; its name and reason are
    # copied beside it, so the record reads "given by the nurse, override authorised by the physician".
    override = models.ForeignKey(
        SafetyOverride, on_delete=models.PROTECT, null=True, blank=True, related_name="administrations"
    )
    override_by_name = models.CharField(max_length=200, blank=True)
    override_reason = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()
    patient_path = "episode__patient_id"

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "due_at"], condition=Q(due_at__isnull=False), name="one_record_per_due_dose"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.medicine_name} {self.dose_mg} mg {self.status}"


class ControlledStock(models.Model):
    """One controlled medicine kept on one unit (or at the facility for outpatients). Its balance is the ledger's."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    unit = models.ForeignKey("facilities.Unit", on_delete=models.PROTECT, null=True, blank=True)
    medicine_code = models.CharField(max_length=64)
    medicine_name = models.CharField(max_length=100)
    # The newest entry's number and balance, written only under this row's lock (ledger._append): the next
    # entry takes number + 1 and starts from this balance, whatever clock its request read.
    last_sequence = models.PositiveIntegerField(default=0)
    balance_mg = models.DecimalField(max_digits=10, decimal_places=2, default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "medicine_name"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "unit", "medicine_code"], name="one_stock_per_unit_medicine"),
            # NULLs are distinct in a unique constraint, so the facility-level stock (no unit) needs its own;
            # a partial index works on PostgreSQL and SQLite alike (nulls_distinct=False is PostgreSQL 15 only).
            models.UniqueConstraint(
                fields=["facility", "medicine_code"],
                condition=models.Q(unit__isnull=True),
                name="one_facility_stock_per_medicine",
            ),
            models.CheckConstraint(condition=models.Q(balance_mg__gte=0), name="stock_never_below_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.medicine_name} ({self.unit or 'facility'})"


class LedgerKind(models.TextChoices):
    """What moved stock, or checked it."""

    RECEIVED = "received", "Received"
    DISPENSED = "dispensed", "Dispensed (dose given)"
    WASTED = "wasted", "Wasted (witnessed)"
    COUNT = "count", "Shift count"
    RESOLUTION = "resolution", "Discrepancy resolved"


# django-stubs types each queryset's generated as_manager() by its own class, so two bases disagree.
class LedgerQuerySet(AppendOnlyQuerySet, ScopedQuerySet["ControlledLedgerEntry"]):  # type: ignore[override]
    """The controlled log: scoped like every facility record, and still closed to bulk update and delete."""


LedgerManager = models.Manager.from_queryset(LedgerQuerySet)


class ControlledLedgerEntry(AppendOnlyModel):
    """One line of the controlled-substance log, with the running balance after it. Never edited or removed."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    stock = models.ForeignKey(ControlledStock, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=LedgerKind.choices)
    change_mg = models.DecimalField(max_digits=10, decimal_places=2)
    balance_mg = models.DecimalField(max_digits=10, decimal_places=2)
    counted_mg = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    discrepancy_mg = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    resolves = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="resolution")
    administration = models.OneToOneField(
        MedicationAdministration, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entry"
    )
    # 1, 2, 3 ... per stock, assigned under the stock row's lock: the order the balance was computed in.
    sequence = models.PositiveIntegerField()
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_name = models.CharField(max_length=200)
    witness_name = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    objects: ClassVar[LedgerManager[ControlledLedgerEntry]] = LedgerManager()

    class Meta:
        ordering = ["stock", "sequence"]
        verbose_name_plural = "controlled ledger entries"
        constraints = [
            # Two entries can never both follow the same line of a stock's log.
            models.UniqueConstraint(fields=["stock", "sequence"], name="one_entry_per_stock_sequence"),
            models.CheckConstraint(condition=models.Q(balance_mg__gte=0), name="ledger_balance_never_below_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.change_mg} -> {self.balance_mg}"


class MaintenanceChoice(models.TextChoices):
    """What the patient chose when maintenance was offered before any taper (reference §9)."""

    MAINTENANCE = "maintenance", "Continue maintenance medication (no taper)"
    TAPER = "taper", "Taper off after counselling about relapse and overdose risk"


class MaintenanceOffer(models.Model):
    """The documented offer of maintenance; a taper cannot be built before it."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="maintenance_offer")
    choice = models.CharField(max_length=16, choices=MaintenanceChoice.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField()
    by_name = models.CharField(max_length=200)

    objects = ScopedQuerySet.as_manager()
    patient_path = "episode__patient_id"

    def __str__(self) -> str:
        return f"Maintenance offered: {self.get_choice_display()}"


class TaperPlan(models.Model):
    """One version of a taper for one order. Edits add a version; the MAR follows the newest."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT)
    order = models.ForeignKey(MedicationRequest, on_delete=models.PROTECT, related_name="tapers")
    version = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=8)
    start_mg = models.DecimalField(max_digits=8, decimal_places=2)
    step = models.DecimalField(max_digits=8, decimal_places=2)
    step_days = models.PositiveSmallIntegerField()
    floor_mg = models.DecimalField(max_digits=8, decimal_places=2)
    start_date = models.DateField()
    # [["2026-11-20", "8"], ...]: the day-by-day table as it was built.
    steps = models.JSONField()
    reason = models.TextField()
    created_at = models.DateTimeField()
    created_by_name = models.CharField(max_length=200)

    objects = ScopedQuerySet.as_manager()
    patient_path = "order__episode__patient_id"

    class Meta:
        ordering = ["order", "-version"]
        constraints = [models.UniqueConstraint(fields=["order", "version"], name="one_taper_version_number")]

    def __str__(self) -> str:
        return f"Taper v{self.version} for {self.order}"


class FacilityProtocol(models.Model):
    """A facility's copy of a published protocol. Each edit is a new version; orders copy values at signing."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="protocols")
    code = models.SlugField(max_length=64)
    version = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    based_on = models.CharField(max_length=64)
    # [{"medicine_code", "kind", "dose_mg", "min_interval_minutes", "single_dose_max_mg", "daily_max_mg",
    #   "cows_at_least", "first_dose_max_mg", "first_day_max_mg", "instructions"}], decimals as strings.
    lines = models.JSONField()
    source = models.TextField()
    reason = models.TextField()
    created_at = models.DateTimeField()
    created_by_name = models.CharField(max_length=200)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "code", "version"], name="one_protocol_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
