"""Which rows a user may reach: facility, unit and emergency access, applied in one queryset.

The shape is NetBox's RestrictedQuerySet: pages, API routes, FHIR routes and documents read a
facility-carrying model through `Model.objects.restrict(user, action)` (lists) or a `get_<x>_for` helper
(one row: 404 outside the facility, 403 outside the unit), so one forgotten filter cannot leak another
site's or another unit's patients. tests/test_scope.py fails if a view, API or FHIR module reads such a
model any other way.

A row about a patient (the patient, an episode, an order, a consent...) names the path to its patient in
`patient_path`. A unit-bound user reaches it when that patient is on their unit, on no unit, or opened to
them by an emergency grant that has not expired. Rows about no patient (units, beds, stock, the directory)
are scoped to the facility only: they hold no patient data. The lists of one unit's patients (census,
medication round, bed board) are narrowed to the user's unit in facilities/queries.py.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.apps import apps
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from detoxflow.accounts.permissions import Action, role_may

if TYPE_CHECKING:
    from detoxflow.accounts.models import User

_M = TypeVar("_M", bound=models.Model)


def patient_path(model: type[models.Model]) -> str | None:
    """The lookup from a row of `model` to its patient's id ("pk", "patient_id", "episode__patient_id"), if any."""
    path: str | None = getattr(model, "patient_path", None)
    return path


def unit_of_patient(patient: OuterRef) -> Subquery:
    """The unit the patient is on: their open episode's; with none open, the unit they were last on.

    A discharged episode keeps its unit (only assign_bed changes `Episode.unit`), so the newest discharged
    episode that had one says which unit cared for them, and its staff keep the record. An open episode
    without a bed yet (pre-admission) is on no unit, so anyone in the facility may prepare the admission.
    """
    episodes = apps.get_model("episodes", "Episode").objects
    return Subquery(
        episodes.filter(patient_id=patient)
        .filter(Q(discharged_at__isnull=True) | Q(unit__isnull=False))
        .order_by(F("discharged_at").desc(nulls_first=True), "-pk")
        .values("unit_id")[:1]
    )


def emergency_grant(user: User, patient: OuterRef, now: dt.datetime) -> Exists:
    """True while the user holds an unexpired emergency-access grant for the patient."""
    grants = apps.get_model("accounts", "EmergencyAccess").objects
    return Exists(grants.filter(user_id=user.pk, patient_id=patient, expires_at__gt=now))


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset that knows the facility, unit and emergency-access rules for its model."""

    def restrict(self, user: User, action: Action) -> Self:
        """Rows the user may reach for `action`: none if their role may not, else their facility's rows and,
        for a unit-bound user, only those about patients within their unit's reach."""
        if not role_may(user.role, action):
            return self.none()
        rows = self.in_facility_of(user)
        reach = self._reach(user, timezone.now())
        if reach is None:
            return rows
        return rows.alias(**reach).filter(
            Q(reach_unit_id__isnull=True) | Q(reach_unit_id=user.unit_id) | Q(reach_by_emergency=True)
        )

    def in_facility_of(self, user: User) -> Self:
        """The user's facility's rows, whatever unit: for the helpers that decide the rest themselves
        (breaking the glass, an export's starter). Views and APIs use restrict() or a get_<x>_for helper."""
        return self.filter(facility_id=user.facility_id)

    def reach_of(self, user: User, now: dt.datetime) -> Self:
        """The facility's rows, each annotated with what decides a unit-bound user's reach, for get_<x>_for.

        Not a restriction by itself: accounts.access.find_for reads the annotations to answer 403 (and
        audit it) rather than 404 when the record exists on another unit.
        """
        rows = self.in_facility_of(user)
        reach = self._reach(user, now)
        if reach is None:
            return rows
        return rows.annotate(reach_patient_id=F(str(patient_path(self.model))), **reach)

    def _reach(self, user: User, now: dt.datetime) -> dict[str, Any] | None:
        """What decides a unit-bound user's reach to a row: its patient's unit and any emergency grant; None
        when nothing beyond the facility decides (a user of the whole facility, or a row about no patient)."""
        path = patient_path(self.model)
        if user.unit_id is None or path is None:
            return None
        patient = OuterRef(path)
        return {"reach_unit_id": unit_of_patient(patient), "reach_by_emergency": emergency_grant(user, patient, now)}


def rows_of(model: type[_M]) -> ScopedQuerySet[_M]:
    """All rows of `model` as a ScopedQuerySet, for code that is handed the model (the FHIR registry)."""
    rows: Any = model._default_manager.all()
    if not isinstance(rows, ScopedQuerySet):
        raise TypeError(f"{model.__name__} has no restrict(): give it `objects = ScopedQuerySet.as_manager()`.")
    return rows
