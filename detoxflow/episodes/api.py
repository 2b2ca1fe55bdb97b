"""API for episodes: open, read, bed, method and stage changes, through the same services as the screens."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.aftercare.services import OrderDecision, move_episode
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.clinical.stages import Stage
from detoxflow.episodes import services
from detoxflow.episodes.models import Episode
from detoxflow.episodes.queries import care_team_candidates, get_episode_for
from detoxflow.episodes.schemas import (
    ArrivalIn,
    BedIn,
    CareTeamIn,
    EpisodeDetailOut,
    EpisodeIn,
    EpisodeOut,
    MethodIn,
    TransitionIn,
)
from detoxflow.errors import InvalidInput
from detoxflow.facilities.models import Bed
from detoxflow.patients.queries import get_patient_for
from detoxflow.web.identifiers import RecordId
from detoxflow.web.pagination import BoundedPagination

router = Router(tags=["episodes"])


class EpisodeFilter(Schema):
    stage: Stage | None = None
    open: bool | None = None
    patient_id: RecordId | None = None


@router.get("", response=list[EpisodeOut])
@paginate(BoundedPagination)
def list_episodes(request: HttpRequest, filters: Query[EpisodeFilter]) -> QuerySet[Episode]:
    """Episodes the user may read (their unit's patients', or the facility's), newest first, by stage,
    open/closed or patient."""
    require(request, Action.VIEW_PATIENT, object_type="Episode")
    episodes = (
        Episode.objects.restrict(staff_member(request), Action.VIEW_PATIENT)
        .prefetch_related("care_team")
        .order_by("-opened_at", "-pk")
    )
    if filters.stage:
        episodes = episodes.filter(stage=filters.stage.value)
    if filters.open is not None:
        episodes = episodes.filter(discharged_at__isnull=filters.open)
    if filters.patient_id:
        episodes = episodes.filter(patient_id=filters.patient_id)
    record_request_event(
        request,
        "episode.list",
        object_type="Episode",
        detail={k: str(v) for k, v in filters.dict(exclude_none=True).items()},
    )
    return episodes


@router.post("", response={201: EpisodeOut})
def open_episode(request: HttpRequest, payload: EpisodeIn) -> Status[Episode]:
    """Open a pre-admission episode; 409 if the patient already has one open."""
    patient = get_patient_for(request, payload.patient_id, Action.OPEN_EPISODE)
    episode = services.open_episode(
        staff_member(request),
        patient,
        reason=payload.reason,
        now=timezone.now(),
        address=client_address(request),
    )
    return Status(201, episode)


@router.get("/{episode_id}", response=EpisodeDetailOut)
def read_episode(request: HttpRequest, episode_id: RecordId) -> Episode:
    """One episode with its full stage timeline."""
    episode = get_episode_for(request, episode_id, Action.VIEW_PATIENT)
    record_request_event(
        request,
        "episode.view",
        patient_id=episode.patient_id,
        episode_id=episode.pk,
        object_type="Episode",
        object_id=episode.pk,
    )
    return episode


@router.put("/{episode_id}/bed", response=EpisodeOut)
def assign_bed(request: HttpRequest, episode_id: RecordId, payload: BedIn) -> Episode:
    """Put the patient in a bed (or `null` to release it); 409 if the bed is taken."""
    episode = get_episode_for(request, episode_id, Action.ASSIGN_BED)
    bed = None
    if payload.bed_id is not None:
        bed = Bed.objects.restrict(staff_member(request), Action.ASSIGN_BED).filter(pk=payload.bed_id).first()
        if bed is None:
            raise InvalidInput("bed_id", f"There is no bed {payload.bed_id} in this facility.", status_code=422)
    return services.assign_bed(staff_member(request), episode, bed, address=client_address(request))


@router.post("/{episode_id}/arrival", response={201: EpisodeDetailOut})
def record_arrival(request: HttpRequest, episode_id: RecordId, payload: ArrivalIn) -> Status[Episode]:
    """The patient is here: keep or change the bed, move to evaluation & intake; 409 if already arrived."""
    episode = get_episode_for(request, episode_id, Action.CHANGE_STAGE)
    bed = episode.bed
    if "bed_id" in payload.model_fields_set:
        bed = None
        if payload.bed_id is not None:
            bed = Bed.objects.restrict(staff_member(request), Action.VIEW_FACILITY).filter(pk=payload.bed_id).first()
            if bed is None:
                raise InvalidInput("bed_id", f"There is no bed {payload.bed_id} in this facility.", status_code=422)
    now = timezone.now()
    episode = services.record_arrival(
        staff_member(request),
        episode.pk,
        bed=bed,
        arrived_at=payload.arrived_at or now,
        now=now,
        address=client_address(request),
    )
    return Status(201, episode)


@router.put("/{episode_id}/care-team", response=EpisodeOut)
def assign_care_team(request: HttpRequest, episode_id: RecordId, payload: CareTeamIn) -> Episode:
    """Set the nurses, physicians and counselors responsible for the episode."""
    episode = get_episode_for(request, episode_id, Action.ASSIGN_CARE_TEAM)
    members = list(care_team_candidates(episode, payload.user_ids))
    unknown = sorted(set(payload.user_ids) - {m.pk for m in members})
    if unknown:
        raise InvalidInput("user_ids", f"No staff member {unknown[0]} at this facility.", status_code=422)
    return services.assign_care_team(staff_member(request), episode, members, address=client_address(request))


@router.put("/{episode_id}/method", response=EpisodeOut)
def choose_method(request: HttpRequest, episode_id: RecordId, payload: MethodIn) -> Episode:
    """Record the detox method (care setting and withdrawal medication)."""
    episode = get_episode_for(request, episode_id, Action.CHANGE_STAGE)
    return services.choose_care_setting(
        staff_member(request),
        episode,
        payload.care_setting,
        payload.withdrawal_medication,
        address=client_address(request),
    )


@router.post("/{episode_id}/transitions", response={201: EpisodeDetailOut})
def change_stage(request: HttpRequest, episode_id: RecordId, payload: TransitionIn) -> Status[Episode]:
    """Move the episode to another stage; 409 names the current and requested stage and what is missing."""
    episode = get_episode_for(request, episode_id, services.action_for(payload.stage))
    if payload.stage == Stage.EVALUATION and episode.stage_enum is Stage.PRE_ADMISSION:
        # Into evaluation from pre-admission is the patient's arrival: one door, in the booked bed, now.
        now = timezone.now()
        episode = services.record_arrival(
            staff_member(request), episode.pk, bed=episode.bed, arrived_at=now, now=now, address=client_address(request)
        )
        return Status(201, episode)
    decisions = None
    if payload.orders is not None:
        decisions = {d.order_id: OrderDecision(d.disposition, d.continued_by) for d in payload.orders}
    episode = move_episode(
        staff_member(request),
        episode,
        payload.stage,
        reason=payload.reason,
        now=timezone.now(),
        address=client_address(request),
        discharge_type=payload.discharge_type,
        orders=decisions,
    )
    return Status(201, episode)
