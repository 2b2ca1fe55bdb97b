"""API for orders and the MAR, through the same services and safety check as the screens."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Status

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.episodes.queries import get_episode_for
from detoxflow.errors import InvalidInput
from detoxflow.medications import services
from detoxflow.medications.models import MedicationAdministration, MedicationRequest
from detoxflow.medications.schemas import AdministrationIn, AdministrationOut, OrderIn, OrderOut

router = Router(tags=["medications"])


@router.get("/episodes/{episode_id}/orders", response=list[OrderOut])
def list_orders(request: HttpRequest, episode_id: int) -> QuerySet[MedicationRequest]:
    """Every order of the episode, active and stopped."""
    episode = get_episode_for(request, episode_id, Action.VIEW_PATIENT)
    record_request_event(request, "order.list", patient_id=episode.patient_id, episode_id=episode.pk)
    return MedicationRequest.objects.filter(episode=episode)


@router.post("/episodes/{episode_id}/orders", response={201: list[OrderOut]})
def sign_orders(request: HttpRequest, episode_id: int, payload: OrderIn) -> Status[list[MedicationRequest]]:
    """Sign a published protocol (`protocol`) or one order by hand (the other fields)."""
    episode = get_episode_for(request, episode_id, Action.SIGN_ORDER)
    now, user, address = timezone.now(), staff_member(request), client_address(request)
    if payload.protocol:
        return Status(201, services.sign_protocol(user, episode, payload.protocol, now=now, address=address))
    values = payload.dict(exclude={"protocol"})
    for name in ("medicine_code", "kind", "dose_mg", "min_interval_minutes", "single_dose_max_mg", "daily_max_mg"):
        if values.get(name) is None:
            raise InvalidInput(name, "Required for an order written by hand (or give `protocol`).", status_code=422)
    order = services.sign_order(
        user, episode, values, built_from="Written by hand", starts_at=now, now=now, address=address
    )
    return Status(201, [order])


@router.get("/episodes/{episode_id}/administrations", response=list[AdministrationOut])
def list_administrations(request: HttpRequest, episode_id: int) -> QuerySet[MedicationAdministration]:
    """The episode's MAR entries, oldest first."""
    episode = get_episode_for(request, episode_id, Action.VIEW_PATIENT)
    record_request_event(request, "mar.list", patient_id=episode.patient_id, episode_id=episode.pk)
    return MedicationAdministration.objects.filter(episode=episode)


@router.post("/orders/{order_id}/administrations", response={201: AdministrationOut})
def record_administration(
    request: HttpRequest, order_id: int, payload: AdministrationIn
) -> Status[MedicationAdministration]:
    """Record a dose; a hard stop answers 409 with the reasons, and a second record of a due dose 409 too."""
    require(request, Action.ADMINISTER_DOSE, object_type="MedicationRequest", object_id=order_id)
    if not MedicationRequest.objects.filter(pk=order_id, facility_id=staff_member(request).facility_id).exists():
        raise Http404("No such order in your facility.")
    administration = services.record_administration(
        staff_member(request),
        order_id,
        status=payload.status,
        dose_mg=payload.dose_mg,
        due_at=payload.due_at,
        reason=payload.reason,
        override_reason=payload.override_reason,
        now=timezone.now(),
        address=client_address(request),
    )
    return Status(201, administration)
