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
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.consent import Consent as FhirConsent
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.episodeofcare import EpisodeOfCare
from fhir.resources.R4B.medicationadministration import MedicationAdministration as FhirAdministration
from fhir.resources.R4B.medicationrequest import MedicationRequest as FhirMedicationRequest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir_core.fhirabstractmodel import FHIRAbstractModel

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
    document: Callable[[Any], dict[str, Any]]
    model: type[FHIRAbstractModel]
    prefetch: tuple[str, ...] = ()

    def build(self, row: Any) -> Any:
        """The resource for one row, validated by fhir.resources."""
        return self.model.model_validate(self.document(row))

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
            "Patient",
            "patient",
            lambda: Patient.objects.select_related("facility"),
            "pk",
            None,
            patient.document,
            FhirPatient,
        ),
        ResourceKind(
            "EpisodeOfCare",
            "episodeofcare",
            lambda: Episode.objects.select_related("facility"),
            "patient_id",
            Category.DISCHARGE_SUMMARY,
            episode_of_care.document,
            EpisodeOfCare,
        ),
        ResourceKind(
            "Encounter",
            "encounter",
            lambda: Episode.objects.select_related("facility", "bed__unit").filter(admitted_at__isnull=False),
            "patient_id",
            Category.DISCHARGE_SUMMARY,
            encounter.document,
            Encounter,
        ),
        ResourceKind(
            "Condition",
            "condition",
            lambda: IntakeAssessment.objects.select_related("episode").exclude(oud_severity="none"),
            "episode__patient_id",
            Category.ASSESSMENTS,
            condition.document,
            Condition,
        ),
        ResourceKind(
            "Observation",
            "observation",
            lambda: WithdrawalAssessment.objects.select_related("episode"),
            "episode__patient_id",
            Category.ASSESSMENTS,
            observation.document,
            Observation,
        ),
        ResourceKind(
            "MedicationRequest",
            "medicationrequest",
            lambda: MedicationRequest.objects.select_related("episode"),
            "episode__patient_id",
            Category.MEDICATIONS,
            medication_request.document,
            FhirMedicationRequest,
        ),
        ResourceKind(
            "MedicationAdministration",
            "medicationadministration",
            lambda: MedicationAdministration.objects.select_related("episode", "order"),
            "episode__patient_id",
            Category.MEDICATIONS,
            medication_administration.document,
            FhirAdministration,
        ),
        ResourceKind(
            "CarePlan",
            "careplan",
            lambda: AftercarePlan.objects.select_related("episode"),
            "episode__patient_id",
            Category.DISCHARGE_SUMMARY,
            care_plan.document,
            CarePlan,
            prefetch=("items__resource",),
        ),
        ResourceKind(
            "Consent",
            "consent",
            Consent.objects.all,
            "patient_id",
            None,
            lambda c: consent_resource.document(c, timezone.localdate()),
            FhirConsent,
        ),
    )
}
