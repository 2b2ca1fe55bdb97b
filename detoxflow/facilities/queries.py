"""Read side for facilities: the census, and access to a unit within the user's facility."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from detoxflow.accounts.access import get_for, staff_member
from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action
from detoxflow.audit.models import Outcome
from detoxflow.audit.services import record_request_event
from detoxflow.clinical.rulebook import RuleSet
from detoxflow.clinical.schedule import Due, due_state
from detoxflow.clinical.stages import Stage
from detoxflow.episodes.models import Episode
from detoxflow.facilities.models import Bed, Facility, Housekeeping, Unit
from detoxflow.facilities.rules import rules_in_force
from detoxflow.medications.queries import late_and_missed


@dataclass(frozen=True)
class CensusRow:
    """One bed on the census: who is in it, and whether their withdrawal assessment is due."""

    bed: Bed
    episode: Episode | None
    days_since_admission: int | None
    due: Due | None = None
    minutes_late: int = 0
    late_doses: int = 0
    missed_doses: int = 0


def units_for(user: User) -> QuerySet[Unit]:
    """Units of the user's facility with their bed and occupancy counts, in one query."""
    return (
        Unit.objects.restrict(user, Action.VIEW_FACILITY)
        .annotate(
            bed_count=Count("beds", distinct=True),
            occupied_count=Count("beds__episodes", filter=Q(beds__episodes__discharged_at__isnull=True), distinct=True),
        )
        .order_by("name")
    )


def get_unit_for(request: HttpRequest, unit_id: int, action: Action) -> Unit:
    """A unit whose patients are listed (census, medication round): in the user's facility (404 otherwise)
    and, for staff with a home unit, that unit (403 otherwise, audited).

    Emergency access opens one patient, never another unit's whole list.
    """
    unit = get_for(
        request,
        Unit.objects.select_related("facility"),
        unit_id,
        action,
        missing="No such unit in your facility.",
        object_type="Unit",
        object_id=unit_id,
    )
    home = staff_member(request).unit_id
    if home is not None and unit.pk != home:
        record_request_event(
            request, "unit.outside_unit", outcome=Outcome.DENIED, object_type="Unit", object_id=unit.pk
        )
        raise PermissionDenied("This list is another unit's; staff assigned to a unit see their own unit's patients.")
    return unit


def census_for_unit(unit: Unit, now: dt.datetime) -> list[CensusRow]:
    """Every bed on the unit with its current episode, patient and due state: a fixed number of queries."""
    rules = rules_in_force(unit.facility_id, RuleSet.REASSESSMENT).rules
    current = Episode.objects.filter(discharged_at__isnull=True).select_related("patient")
    beds = list(
        Bed.objects.filter(unit=unit).prefetch_related(Prefetch("episodes", queryset=current, to_attr="current"))
    )
    rows = []
    today = timezone.localdate(now)
    doses = late_and_missed(
        [bed.current[0].pk for bed in beds if bed.current],
        now,
        rules_in_force(unit.facility_id, RuleSet.DOSE_TIMING).rules,
    )
    for bed in beds:
        episode = bed.current[0] if bed.current else None
        days = None
        if episode is not None and episode.admitted_at is not None:
            days = (today - timezone.localdate(episode.admitted_at)).days
        due, late = None, 0
        if episode is not None and episode.next_assessment_due is not None:
            due = due_state(episode.next_assessment_due, now, rules)
            late = max(0, int((now - episode.next_assessment_due).total_seconds() // 60))
        dose_counts = doses.get(episode.pk, {}) if episode else {}
        rows.append(
            CensusRow(
                bed=bed,
                episode=episode,
                days_since_admission=days,
                due=due,
                minutes_late=late,
                late_doses=dose_counts.get("late", 0),
                missed_doses=dose_counts.get("missed", 0),
            )
        )
    return rows


def due_now(rows: list[CensusRow]) -> list[CensusRow]:
    """Rows whose assessment is due or overdue, most overdue first."""
    return sorted((r for r in rows if r.due in (Due.DUE, Due.OVERDUE)), key=lambda r: -r.minutes_late)


def facilities_for(user: User) -> QuerySet[Facility]:
    """The facilities a user may see: their own."""
    return Facility.objects.filter(pk=user.facility_id)


def units_with_beds(user: User, facility: Facility) -> QuerySet[Unit]:
    """The facility's units, each with its beds annotated `occupied`, for the facilities API.

    Occupancy counts every open episode, whoever may read it: a bed is taken whether or not its patient is
    within the user's reach, and the answer names no patient.
    """
    occupied = Episode.objects.filter(bed=OuterRef("pk"), discharged_at__isnull=True)
    beds = Bed.objects.annotate(occupied=Exists(occupied))
    return (
        Unit.objects.restrict(user, Action.VIEW_FACILITY)
        .filter(facility=facility)
        .prefetch_related(Prefetch("beds", queryset=beds))
    )


class BedState(enum.StrEnum):
    """What the bed board shows for a bed."""

    OCCUPIED = "occupied"
    RESERVED = "reserved"
    CLEANING = "cleaning"
    OUT_OF_SERVICE = "out_of_service"
    FREE = "free"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class BoardBed:
    """One bed on the board with its state and, if taken, the episode holding it."""

    bed: Bed
    state: BedState
    episode: Episode | None


@dataclass(frozen=True)
class UnitBoard:
    """A unit's beds on the board, with counts by state."""

    unit: Unit
    beds: list[BoardBed]

    def count(self, state: BedState) -> int:
        return sum(1 for b in self.beds if b.state is state)


def _state(bed: Bed, episode: Episode | None) -> BedState:
    if episode is not None:
        return BedState.RESERVED if episode.stage == Stage.PRE_ADMISSION else BedState.OCCUPIED
    if bed.housekeeping == Housekeeping.CLEANING:
        return BedState.CLEANING
    if bed.housekeeping == Housekeeping.OUT_OF_SERVICE:
        return BedState.OUT_OF_SERVICE
    return BedState.FREE


def bed_board(user: User) -> list[UnitBoard]:
    """Every unit's beds with their state and holder: three queries whatever the history.

    The board names the patient in each bed, so staff with a home unit see that unit's beds only.
    """
    current = Episode.objects.filter(discharged_at__isnull=True).select_related("patient")
    reachable = Bed.objects.restrict(user, Action.VIEW_CENSUS)
    if user.unit_id is not None:
        reachable = reachable.filter(unit_id=user.unit_id)
    beds = (
        reachable.select_related("unit")
        .prefetch_related(Prefetch("episodes", queryset=current, to_attr="current"))
        .order_by("unit__name", "label")
    )
    boards: dict[int, UnitBoard] = {}
    for bed in beds:
        episode = bed.current[0] if bed.current else None
        board = boards.setdefault(bed.unit_id, UnitBoard(unit=bed.unit, beds=[]))
        board.beds.append(BoardBed(bed=bed, state=_state(bed, episode), episode=episode))
    return list(boards.values())


def free_beds(facility_id: int) -> QuerySet[Bed]:
    """Beds ready for a patient and held by no open episode, for booking and for triage."""
    return (
        Bed.objects.filter(facility_id=facility_id, housekeeping=Housekeeping.READY)
        # Exists, not exclude(episodes__...): a bed that never had an episode joins as NULL and would vanish.
        .exclude(Exists(Episode.objects.filter(bed=OuterRef("pk"), discharged_at__isnull=True)))
        .select_related("unit")
        .order_by("unit__name", "label")
    )
