"""Community resources a patient can be referred to after detox."""

from __future__ import annotations

from django.db import models

from detoxflow.accounts.scope import ScopedQuerySet
from detoxflow.facilities.models import Facility


class ResourceKind(models.TextChoices):
    """The kinds of help the directory lists (reference §10, §14)."""

    TREATMENT_CENTER = "treatment_center", "Treatment center"
    DETOX = "detox", "Detox facility"
    OUTPATIENT = "outpatient", "Outpatient clinic"
    MENTAL_HEALTH = "mental_health", "Mental-health provider"
    OTP = "otp", "Opioid treatment program (methadone)"
    BUPRENORPHINE_PRESCRIBER = "buprenorphine_prescriber", "Buprenorphine prescriber"
    SUPPORT_GROUP = "support_group", "Support group (NA, SMART Recovery)"
    SOBER_LIVING = "sober_living", "Sober-living home"
    TRANSITIONAL_HOUSING = "transitional_housing", "Transitional housing"
    PEER_SUPPORT = "peer_support", "Peer support / recovery coach"
    HOTLINE = "hotline", "Hotline"


class Resource(models.Model):
    """One place or service, with where it is, when it is open, what it offers and who it takes."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="resources")
    kind = models.CharField(max_length=32, choices=ResourceKind.choices)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    phone = models.CharField(max_length=32)
    hours_text = models.CharField(max_length=300)
    # {"mon": [["08:00", "17:00"]], ...}: parsed once on import so searches never re-read the text.
    hours = models.JSONField(default=dict)
    services = models.JSONField(default=list)
    payment = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    last_checked = models.DateField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["facility", "kind"], name="resource_facility_kind"),
            # The search pages by name: with this index a deep page is an index walk, not a sort of every row.
            models.Index(fields=["facility", "name", "id"], name="resource_facility_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def point(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return self.latitude, self.longitude
