"""The MAR of an episode: orders, the safety preview, and recording doses."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from detoxflow.accounts.access import get_for, require, staff_member
from detoxflow.accounts.authentication import check_witness
from detoxflow.accounts.permissions import Action
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.clinical.protocols import PUBLISHED_PROTOCOLS
from detoxflow.episodes.models import Episode
from detoxflow.episodes.queries import get_episode_for
from detoxflow.errors import InvalidInput
from detoxflow.facilities.queries import get_unit_for
from detoxflow.medications import ledger, protocols, services, tapering
from detoxflow.medications.forms import (
    AdministrationForm,
    HandOrderForm,
    LedgerForm,
    MaintenanceOfferForm,
    ProtocolLineForm,
    ProtocolOrderForm,
    TaperForm,
)
from detoxflow.medications.models import ControlledLedgerEntry, ControlledStock, TaperPlan
from detoxflow.medications.queries import get_order_for, maintenance_offer_of, mar_for_episode, tapers_of
from detoxflow.web.forms import show_on_form


def _mar(request: HttpRequest, episode: Episode, status: int = 200, **extra: object) -> HttpResponse:
    lines = mar_for_episode(episode, timezone.now())
    context = {
        "episode": episode,
        "patient": episode.patient,
        "lines": lines,
        "protocol_form": extra.get("protocol_form") or ProtocolOrderForm(),
        "hand_form": extra.get("hand_form") or HandOrderForm(),
        "error": extra.get("error"),
        "error_order": extra.get("error_order"),
    }
    return render(request, "medications/mar.html", context, status=status)


def mar(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Orders and doses for one patient, with what the safety check says about the next dose now."""
    episode = get_episode_for(request, episode_id, Action.VIEW_PATIENT)
    record_request_event(request, "mar.view", patient_id=episode.patient_id, episode_id=episode.pk)
    return _mar(request, episode)


@require_POST
def sign_protocol(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Sign the lines of a published protocol."""
    episode = get_episode_for(request, episode_id, Action.SIGN_ORDER)
    form = ProtocolOrderForm(request.POST)
    if form.is_valid():
        try:
            services.sign_protocol(
                staff_member(request),
                episode,
                form.cleaned_data["protocol"],
                now=timezone.now(),
                address=client_address(request),
            )
        except InvalidInput as error:
            return _mar(request, episode, 400, protocol_form=form, error=error.message)
        return redirect("mar", episode.pk)
    return _mar(request, episode, 400, protocol_form=form)


@require_POST
def sign_by_hand(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Sign an order written by hand."""
    episode = get_episode_for(request, episode_id, Action.SIGN_ORDER)
    form = HandOrderForm(request.POST)
    if form.is_valid():
        try:
            now = timezone.now()
            services.sign_order(
                staff_member(request),
                episode,
                form.cleaned_data,
                built_from="Written by hand",
                starts_at=now,
                now=now,
                address=client_address(request),
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("mar", episode.pk)
    return _mar(request, episode, 400, hand_form=form)


@require_POST
def stop(request: HttpRequest, order_id: int) -> HttpResponse:
    """Stop an order."""
    order = get_order_for(request, order_id, Action.SIGN_ORDER)
    try:
        services.stop_order(
            staff_member(request),
            order,
            reason=request.POST.get("reason", ""),
            now=timezone.now(),
            address=client_address(request),
        )
    except InvalidInput as error:
        return _mar(request, order.episode, 400, error=error.message, error_order=order.pk)
    return redirect("mar", order.episode_id)


@require_POST
def administer(request: HttpRequest, order_id: int) -> HttpResponse:
    """Record a dose; a hard stop comes back in place with its reasons and nothing saved."""
    order = get_order_for(request, order_id, Action.ADMINISTER_DOSE)
    form = AdministrationForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.items()))
        return _mar(request, order.episode, 400, error=f"{first[0]}: {first[1][0]}", error_order=order.pk)
    data = form.cleaned_data
    try:
        services.record_administration(
            staff_member(request),
            order.pk,
            status=data["status"],
            dose_mg=data["dose_mg"],
            due_at=data["due_at"],
            reason=data["reason"],
            override_reason=data["override_reason"],
            now=timezone.now(),
            address=client_address(request),
        )
    except InvalidInput as error:
        return _mar(request, order.episode, error.status_code, error=error.message, error_order=order.pk)
    return redirect("mar", order.episode_id)


def _controlled(
    request: HttpRequest, status: int = 200, form: LedgerForm | None = None, error: str = ""
) -> HttpResponse:
    user = staff_member(request)
    stocks = ControlledStock.objects.restrict(user, Action.KEEP_CONTROLLED_LOG).select_related("unit")
    rows = [
        {"stock": s, "balance": ledger.balance(s), "entries": list(s.entries.order_by("-at", "-pk")[:20])}
        for s in stocks
    ]
    return render(
        request,
        "medications/controlled.html",
        {
            "stocks": rows,
            "discrepancies": ledger.open_discrepancies(user.facility_id),
            "form": form or LedgerForm(facility_id=user.facility_id),
            "error": error,
        },
        status=status,
    )


def controlled_log(request: HttpRequest) -> HttpResponse:
    """Every controlled stock of the facility with its running balance, and open discrepancies."""
    require(request, Action.KEEP_CONTROLLED_LOG)
    record_request_event(request, "controlled.view")
    return _controlled(request)


@require_POST
def controlled_record(request: HttpRequest) -> HttpResponse:
    """Receive, waste (witnessed) or count."""
    require(request, Action.KEEP_CONTROLLED_LOG)
    user = staff_member(request)
    form = LedgerForm(request.POST, facility_id=user.facility_id)
    if not form.is_valid():
        return _controlled(request, 400, form)
    data, now, address = form.cleaned_data, timezone.now(), client_address(request)
    try:
        stock = ledger.stock_for(user.facility_id, data["unit"].pk if data["unit"] else None, data["medicine_code"])
        witness = None
        if data["kind"] == "wasted":
            # The witness proves presence with their own password, through the sign-in's own door.
            witness = check_witness(request, user, data["witness_username"], data["witness_password"])
        ledger.record_movement(
            user, stock, data["kind"], data["quantity_mg"], witness=witness, note=data["note"], now=now, address=address
        )
    except InvalidInput as error:
        field = "witness_username" if error.field == "witness" else error.field
        form.add_error(field if field in form.fields else None, error.message)
        return _controlled(request, 400, form)
    return redirect("controlled-log")


@require_POST
def controlled_resolve(request: HttpRequest, entry_id: int) -> HttpResponse:
    """A manager closes a count discrepancy with an explanation."""
    entry = get_for(
        request,
        ControlledLedgerEntry,
        entry_id,
        Action.RESOLVE_DISCREPANCY,
        missing="No such log entry in your facility.",
    )
    user = staff_member(request)
    try:
        ledger.resolve(
            user, entry, note=request.POST.get("note", ""), now=timezone.now(), address=client_address(request)
        )
    except InvalidInput as error:
        return _controlled(request, 400, error=error.message)
    return redirect("controlled-log")


def _taper_page(request: HttpRequest, episode: Episode, status: int = 200, **forms_: object) -> HttpResponse:
    plans = tapers_of(episode).select_related("order").order_by("order", "-version")
    current: dict[int, TaperPlan] = {}
    for plan in plans:
        current.setdefault(plan.order_id, plan)
    return render(
        request,
        "medications/taper.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "offer": maintenance_offer_of(episode),
            "offer_form": forms_.get("offer_form") or MaintenanceOfferForm(),
            "taper_form": forms_.get("taper_form")
            or TaperForm(episode_id=episode.pk, initial={"start_date": timezone.localdate()}),
            "current": list(current.values()),
            "history": list(plans),
        },
        status=status,
    )


def taper(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Maintenance offer, the current taper table for each order, and every earlier version."""
    episode = get_episode_for(request, episode_id, Action.VIEW_PATIENT)
    record_request_event(request, "taper.view", patient_id=episode.patient_id, episode_id=episode.pk)
    return _taper_page(request, episode)


@require_POST
def maintenance_offer(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Record the maintenance offer and the patient's choice."""
    episode = get_episode_for(request, episode_id, Action.SIGN_ORDER)
    form = MaintenanceOfferForm(request.POST)
    if form.is_valid():
        tapering.record_maintenance_offer(
            staff_member(request),
            episode,
            form.cleaned_data["choice"],
            form.cleaned_data["note"],
            now=timezone.now(),
            address=client_address(request),
        )
        return redirect("taper", episode.pk)
    return _taper_page(request, episode, 400, offer_form=form)


@require_POST
def plan_taper(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Build a new taper version."""
    episode = get_episode_for(request, episode_id, Action.SIGN_ORDER)
    form = TaperForm(request.POST, episode_id=episode.pk)
    if form.is_valid():
        try:
            tapering.plan_taper(
                staff_member(request),
                form.cleaned_data["order"],
                form.cleaned_data,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
                address=client_address(request),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("taper", episode.pk)
    return _taper_page(request, episode, 400, taper_form=form)


def protocol_list(request: HttpRequest) -> HttpResponse:
    """Published protocols with their sources, and the facility's own versions."""
    require(request, Action.VIEW_FACILITY)
    user = staff_member(request)
    own = {p.code: p for p in protocols.current_protocols(user.facility_id)}
    rows = [
        {
            "published": p,
            "own": own.get(p.code),
            "lines": protocols.as_protocol(own[p.code]).lines if p.code in own else p.lines,
        }
        for p in PUBLISHED_PROTOCOLS.values()
    ]
    return render(request, "medications/protocols.html", {"rows": rows, "error": request.GET.get("error", "")})


@require_POST
def protocol_copy(request: HttpRequest, code: str) -> HttpResponse:
    """Make the facility's own copy of a published protocol."""
    require(request, Action.CONFIGURE_RULES)
    try:
        protocols.copy_published(staff_member(request), code, now=timezone.now(), address=client_address(request))
    except InvalidInput as error:
        return render(request, "medications/protocols.html", {"rows": [], "error": error.message}, status=400)
    return redirect("protocols")


@require_POST
def protocol_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Change one line; a new version is saved and signed orders keep the values they were signed with."""
    require(request, Action.CONFIGURE_RULES)
    user = staff_member(request)
    own = next((p for p in protocols.current_protocols(user.facility_id) if p.code == code), None)
    if own is None:
        message = "Make the facility's copy of this protocol before editing it."
        return render(request, "medications/protocols.html", {"rows": [], "error": message}, status=400)
    form = ProtocolLineForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.items()))
        return render(
            request, "medications/protocols.html", {"rows": [], "error": f"{first[0]}: {first[1][0]}"}, status=400
        )
    data = form.cleaned_data
    changes = {
        k: data[k] for k in ("dose_mg", "min_interval_minutes", "single_dose_max_mg", "daily_max_mg", "cows_at_least")
    }
    try:
        protocols.edit_line(
            user, own, data["line"], changes, reason=data["reason"], now=timezone.now(), address=client_address(request)
        )
    except InvalidInput as error:
        return render(request, "medications/protocols.html", {"rows": [], "error": error.message}, status=400)
    return redirect("protocols")


def unit_mar(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The unit's medication round: every patient's active orders, doses due or late, and the check right now."""
    unit = get_unit_for(request, unit_id, Action.VIEW_CENSUS)
    now = timezone.now()
    episodes = (
        Episode.objects.restrict(staff_member(request), Action.VIEW_CENSUS)
        .filter(unit=unit, discharged_at__isnull=True)
        .exclude(stage="pre_admission")
    )
    rounds = [(e, mar_for_episode(e, now)) for e in episodes.select_related("patient", "bed").order_by("bed__label")]
    record_request_event(
        request,
        "unit_mar.view",
        facility_id=unit.facility_id,
        object_type="Unit",
        object_id=unit.pk,
        detail={"patients_shown": [e.patient_id for e, _ in rounds]},
    )
    return render(request, "medications/unit_mar.html", {"unit": unit, "rounds": rounds, "now": now})
