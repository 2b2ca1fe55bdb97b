"""The resource types this server reads, searches and exports, and where each comes from.

One table so read, search, bulk export and the capability statement cannot disagree about what exists,
which rows belong to which patient, and which consent category lets a resource out (reference §15).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F
from django.http import HttpRequest
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

from detoxflow.accounts.access import find_for
from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action
from detoxflow.accounts.scope import ScopedQuerySet, rows_of
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
    source: type[models.Model]
    # What to load with each row and which rows are resources (an Encounter is an episode once admitted).
    shape: Callable[[ScopedQuerySet[Any]], ScopedQuerySet[Any]]
    patient_field: str
    # None: disclosed along with any covered category (the patient they are about, the consent relied on).
    category: Category | None
    document: Callable[[Any], dict[str, Any]]
    model: type[FHIRAbstractModel]
    prefetch: tuple[str, ...] = ()

    def build(self, row: Any) -> Any:
        """The resource for one row, validated by fhir.resources."""
        return self.model.model_validate(self.document(row))

    def scoped(self, user: User, action: Action) -> ScopedQuerySet[Any]:
        """The rows `user` may reach for `action`, each annotated with subject_id (the patient's id), in a
        stable order."""
        return self._resources(rows_of(self.source).restrict(user, action))

    def find_for(self, request: HttpRequest, resource_id: int) -> Any | None:
        """One resource's row: None outside the user's facility, 403 OutsideUnit for another unit's patient."""
        return find_for(request, self._resources(rows_of(self.source).filter(pk=resource_id)))

    def _resources(self, rows: ScopedQuerySet[Any]) -> ScopedQuerySet[Any]:
        shaped: ScopedQuerySet[Any] = (
            self.shape(rows).annotate(subject_id=F(self.patient_field)).prefetch_related(*self.prefetch).order_by("pk")
        )
        return shaped


KINDS: dict[str, ResourceKind] = {
    k.name: k
    for k in (
        ResourceKind(
            "Patient",
            "patient",
            Patient,
            lambda rows: rows.select_related("facility"),
            "pk",
            None,
            patient.document,
            FhirPatient,
        ),
        ResourceKind(
            "EpisodeOfCare",
            "episodeofcare",
            Episode,
            lambda rows: rows.select_related("facility"),
            "patient_id",
            Category.DISCHARGE_SUMMARY,
            episode_of_care.document,
            EpisodeOfCare,
        ),
        ResourceKind(
            "Encounter",
            "encounter",
            Episode,
            lambda rows: rows.select_related("facility", "bed__unit").filter(admitted_at__isnull=False),
            "patient_id",
            Category.DISCHARGE_SUMMARY,
            encounter.document,
            Encounter,
        ),
        ResourceKind(
            "Condition",
            "condition",
            IntakeAssessment,
            lambda rows: rows.select_related("episode").exclude(oud_severity="none"),
            "episode__patient_id",
            Category.ASSESSMENTS,
            condition.document,
            Condition,
        ),
        ResourceKind(
            "Observation",
            "observation",
            WithdrawalAssessment,
            lambda rows: rows.select_related("episode"),
            "episode__patient_id",
            Category.ASSESSMENTS,
            observation.document,
            Observation,
        ),
        ResourceKind(
            "MedicationRequest",
            "medicationrequest",
            MedicationRequest,
            lambda rows: rows.select_related("episode"),
            "episode__patient_id",
            Category.MEDICATIONS,
            medication_request.document,
            FhirMedicationRequest,
        ),
        ResourceKind(
            "MedicationAdministration",
            "medicationadministration",
            MedicationAdministration,
            lambda rows: rows.select_related("episode", "order"),
            "episode__patient_id",
            Category.MEDICATIONS,
            medication_administration.document,
            FhirAdministration,
        ),
        ResourceKind(
            "CarePlan",
            "careplan",
            AftercarePlan,
            lambda rows: rows.select_related("episode"),
            "episode__patient_id",
            Category.DISCHARGE_SUMMARY,
            care_plan.document,
            CarePlan,
            prefetch=("items__resource",),
        ),
        ResourceKind(
            "Consent",
            "consent",
            Consent,
            lambda rows: rows,
            "patient_id",
            None,
            lambda c: consent_resource.document(c, timezone.localdate()),
            FhirConsent,
        ),
    )
}
