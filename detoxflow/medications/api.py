"""API for orders and the MAR, through the same services and safety check as the screens."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.authentication import check_witness
from detoxflow.accounts.permissions import Action
from detoxflow.audit.actions import AuditAction
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.clinical.formulary import FORMULARY
from detoxflow.episodes.queries import get_episode_for
from detoxflow.errors import InvalidInput
from detoxflow.facilities.models import Unit
from detoxflow.medications import ledger, services, tapering
from detoxflow.medications.models import (
    ControlledLedgerEntry,
    ControlledStock,
    MedicationAdministration,
    MedicationRequest,
    SafetyOverride,
    TaperPlan,
)
from detoxflow.medications.queries import get_order_for, open_slots, tapers_of
from detoxflow.medications.schemas import (
    AdministrationIn,
    AdministrationOut,
    DueSlotOut,
    LedgerEntryOut,
    LedgerIn,
    MaintenanceOfferIn,
    OrderIn,
    OrderOut,
    OverrideIn,
    OverrideOut,
    ScheduleOut,
    StockOut,
    TaperIn,
    TaperOut,
)
from detoxflow.web.identifiers import RecordId

router = Router(tags=["medications"])


@router.get("/episodes/{episode_id}/orders", response=list[OrderOut])
def list_orders(request: HttpRequest, episode_id: RecordId) -> QuerySet[MedicationRequest]:
    """Every order of the episode, active and stopped."""
    episode = get_episode_for(request, episode_id, Action.VIEW_PATIENT)
    record_request_event(request, "order.list", patient_id=episode.patient_id, episode_id=episode.pk)
    return episode.orders.all()


@router.post("/episodes/{episode_id}/orders", response={201: list[OrderOut]})
def sign_orders(request: HttpRequest, episode_id: RecordId, payload: OrderIn) -> Status[list[MedicationRequest]]:
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


@router.get("/orders/{order_id}/schedule", response=ScheduleOut)
def order_schedule(request: HttpRequest, order_id: RecordId) -> ScheduleOut:
    """When a scheduled order's doses come due, and which of them are still open to record."""
    order = get_order_for(request, order_id, Action.VIEW_PATIENT)
    record_request_event(request, "order.schedule", patient_id=order.episode.patient_id, episode_id=order.episode_id)
    now = timezone.now()
    return ScheduleOut(
        order_id=order.pk,
        kind=order.kind,
        starts_at=order.starts_at,
        every_minutes=order.min_interval_minutes,
        stopped_at=order.stopped_at,
        open_slots=[DueSlotOut(due_at=at, state=state) for at, state in open_slots(order, now)],
    )


@router.get("/episodes/{episode_id}/administrations", response=list[AdministrationOut])
def list_administrations(request: HttpRequest, episode_id: RecordId) -> QuerySet[MedicationAdministration]:
    """The episode's MAR entries, oldest first."""
    episode = get_episode_for(request, episode_id, Action.VIEW_PATIENT)
    record_request_event(request, "mar.list", patient_id=episode.patient_id, episode_id=episode.pk)
    return episode.administrations.all()


@router.post("/orders/{order_id}/administrations", response={201: AdministrationOut})
def record_administration(
    request: HttpRequest, order_id: RecordId, payload: AdministrationIn
) -> Status[MedicationAdministration]:
    """Record a dose; a hard stop answers 409 with the reasons, and a second record of a due dose 409 too."""
    get_order_for(request, order_id, Action.ADMINISTER_DOSE)
    administration = services.record_administration(
        staff_member(request),
        order_id,
        status=payload.status,
        dose_mg=payload.dose_mg,
        due_at=payload.due_at,
        reason=payload.reason,
        now=timezone.now(),
        address=client_address(request),
    )
    return Status(201, administration)


@router.get("/orders/{order_id}/overrides", response=list[OverrideOut])
def list_overrides(request: HttpRequest, order_id: RecordId) -> QuerySet[SafetyOverride]:
    """Every physician's override authorised on the order, newest first, with what it covered and whether used."""
    order = get_order_for(request, order_id, Action.VIEW_PATIENT)
    record_request_event(
        request, AuditAction.OVERRIDE_LIST, patient_id=order.episode.patient_id, episode_id=order.episode_id
    )
    return order.overrides.all()


@router.post("/orders/{order_id}/overrides", response={201: OverrideOut})
def authorise_override(request: HttpRequest, order_id: RecordId, payload: OverrideIn) -> Status[SafetyOverride]:
    """A physician sets aside hard stops of the order for the next dose or until a time; the dose is recorded
    afterwards (POST administrations) by whoever gives it, and answers 409 naming any stop not covered."""
    get_order_for(request, order_id, Action.OVERRIDE_SAFETY_STOP)
    override = services.authorise_override(
        staff_member(request),
        order_id,
        reason=payload.reason,
        scope=payload.scope,
        until=payload.until,
        rule_ids=payload.rule_ids,
        now=timezone.now(),
        address=client_address(request),
    )
    return Status(201, override)


@router.post("/episodes/{episode_id}/maintenance-offer", response={201: dict[str, str]})
def maintenance_offer(
    request: HttpRequest, episode_id: RecordId, payload: MaintenanceOfferIn
) -> Status[dict[str, str]]:
    """Record that maintenance was offered and what the patient chose (required before a taper)."""
    episode = get_episode_for(request, episode_id, Action.SIGN_ORDER)
    offer = tapering.record_maintenance_offer(
        staff_member(request),
        episode,
        payload.choice,
        payload.note,
        now=timezone.now(),
        address=client_address(request),
    )
    return Status(201, {"choice": offer.choice, "by_name": offer.by_name})


@router.get("/episodes/{episode_id}/tapers", response=list[TaperOut])
def list_tapers(request: HttpRequest, episode_id: RecordId) -> QuerySet[TaperPlan]:
    """Every taper version of the episode, newest first per order."""
    episode = get_episode_for(request, episode_id, Action.VIEW_PATIENT)
    record_request_event(request, "taper.list", patient_id=episode.patient_id, episode_id=episode.pk)
    return tapers_of(episode)


@router.post("/orders/{order_id}/tapers", response={201: TaperOut})
def plan_taper(request: HttpRequest, order_id: RecordId, payload: TaperIn) -> Status[TaperPlan]:
    """Build a new taper version for the order."""
    order = get_order_for(request, order_id, Action.SIGN_ORDER)
    plan = tapering.plan_taper(
        staff_member(request),
        order,
        payload.dict(),
        reason=payload.reason,
        now=timezone.now(),
        address=client_address(request),
    )
    return Status(201, plan)


@router.get("/controlled-stocks", response=list[StockOut])
def list_stocks(request: HttpRequest) -> list[dict[str, object]]:
    """Controlled stocks of the facility with their running balance."""
    require(request, Action.KEEP_CONTROLLED_LOG)
    stocks = ControlledStock.objects.restrict(staff_member(request), Action.KEEP_CONTROLLED_LOG)
    return [
        {
            "id": s.pk,
            "unit_id": s.unit_id,
            "medicine_code": s.medicine_code,
            "medicine_name": s.medicine_name,
            "balance_mg": ledger.balance(s),
        }
        for s in stocks
    ]


@router.post("/controlled-stocks/entries", response={201: LedgerEntryOut})
def record_ledger_entry(request: HttpRequest, payload: LedgerIn) -> Status[ControlledLedgerEntry]:
    """Receive, waste (with the witness's own sign-in) or count a controlled medicine."""
    require(request, Action.KEEP_CONTROLLED_LOG)
    user, now, address = staff_member(request), timezone.now(), client_address(request)
    if (
        payload.unit_id is not None
        and not Unit.objects.restrict(user, Action.KEEP_CONTROLLED_LOG).filter(pk=payload.unit_id).exists()
    ):
        raise InvalidInput("unit_id", f"There is no unit {payload.unit_id} in this facility.", status_code=422)
    if payload.medicine_code not in FORMULARY:
        raise InvalidInput("medicine_code", "Choose a medicine from the formulary.", status_code=422)
    if payload.kind not in ("received", "wasted", "count"):
        raise InvalidInput("kind", "Choose received, wasted or count.", status_code=422)
    stock = ledger.stock_for(user.facility_id, payload.unit_id, payload.medicine_code)
    witness = None
    if payload.kind == "wasted":
        witness = check_witness(request, user, payload.witness_username, payload.witness_password)
    entry = ledger.record_movement(
        user, stock, payload.kind, payload.quantity_mg, witness=witness, note=payload.note, now=now, address=address
    )
    return Status(201, entry)
