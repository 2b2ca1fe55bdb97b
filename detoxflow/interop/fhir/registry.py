"""The resource types this server reads, searches and exports, and where each comes from.

One table so read, search, bulk export and the capability statement cannot disagree about what exists,
which rows belong to which patient, and which consent category lets a resource out (reference §15).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from detoxflow.aftercare.models import AftercarePlan
from detoxflow.assessments.models import WithdrawalAssessment
from detoxflow.consent.coverage import Category
from detoxflow.consent.models import Consent
from detoxflow.episodes.models import Episode
from detoxflow.intake.models import IntakeAssessment
from detoxflow.interop.fhir import (
    care_plan,
    condition,
    encounter,
    episode_of_care,
    medication_administration,
    medication_request,
    observation,
    patient,
)
from detoxflow.interop.fhir import consent as consent_resource
from detoxflow.medications.models import MedicationAdministration, MedicationRequest
from detoxflow.patients.models import Patient


@dataclass(frozen=True)
class ResourceKind:
    """One FHIR resource type: its rows, the lookup to their patient, and what a consent must cover."""

    name: str
    url_name: str
    rows: Callable[[], QuerySet[Any]]
    patient_field: str
    # None: disclosed along with any covered category (the patient they are about, the consent relied on).
    category: Category | None
    build: Callable[[Any], Any]
    prefetch: tuple[str, ...] = ()

    def scoped(self, facility_id: int) -> QuerySet[Any]:
        """This facility's rows, each annotated with subject_id (the patient's id), in a stable order."""
        rows: QuerySet[Any] = (
            self.rows()
            .filter(facility_id=facility_id)
            .annotate(subject_id=F(self.patient_field))
            .prefetch_related(*self.prefetch)
            .order_by("pk")
        )
        return rows


KINDS: dict[str, ResourceKind] = {
    k.name: k
    for k in (
        ResourceKind(
            "Patient", "patient", lambda: Patient.objects.select_related("facility"), "pk", None, patient.to_fhir
        ),
        ResourceKind(
            "EpisodeOfCare",
            "episodeofcare",
            lambda: Episode.objects.select_related("facility"),
            "patient_id",
            Category.DISCHARGE_SUMMARY,
            episode_of_care.to_fhir,
        ),
        ResourceKind(
            "Encounter",
            "encounter",
            lambda: Episode.objects.select_related("facility", "bed__unit").filter(admitted_at__isnull=False),
            "patient_id",
            Category.DISCHARGE_SUMMARY,
            encounter.to_fhir,
        ),
        ResourceKind(
            "Condition",
            "condition",
            lambda: IntakeAssessment.objects.select_related("episode").exclude(oud_severity="none"),
            "episode__patient_id",
            Category.ASSESSMENTS,
            condition.to_fhir,
        ),
        ResourceKind(
            "Observation",
            "observation",
            lambda: WithdrawalAssessment.objects.select_related("episode"),
            "episode__patient_id",
            Category.ASSESSMENTS,
            observation.to_fhir,
        ),
        ResourceKind(
            "MedicationRequest",
            "medicationrequest",
            lambda: MedicationRequest.objects.select_related("episode"),
            "episode__patient_id",
            Category.MEDICATIONS,
            medication_request.to_fhir,
        ),
        ResourceKind(
            "MedicationAdministration",
            "medicationadministration",
            lambda: MedicationAdministration.objects.select_related("episode", "order"),
            "episode__patient_id",
            Category.MEDICATIONS,
            medication_administration.to_fhir,
        ),
        ResourceKind(
            "CarePlan",
            "careplan",
            lambda: AftercarePlan.objects.select_related("episode"),
            "episode__patient_id",
            Category.DISCHARGE_SUMMARY,
            care_plan.to_fhir,
            prefetch=("items__resource",),
        ),
        ResourceKind(
            "Consent",
            "consent",
            Consent.objects.all,
            "patient_id",
            None,
            lambda c: consent_resource.to_fhir(c, timezone.localdate()),
        ),
    )
}
