"""The MAR of an episode: orders, the safety preview, and recording doses."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from detoxflow.accounts.access import get_for, require, staff_member
from detoxflow.accounts.authentication import check_witness
from detoxflow.accounts.permissions import Action
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.clinical.protocols import PUBLISHED_PROTOCOLS
from detoxflow.clinical.rulebook import RuleSet
from detoxflow.episodes.models import Episode
from detoxflow.episodes.queries import get_episode_for
from detoxflow.errors import InvalidInput
from detoxflow.facilities.models import Unit
from detoxflow.facilities.queries import get_unit_for
from detoxflow.facilities.rules import rules_in_force
from detoxflow.medications import ledger, protocols, services, tapering
from detoxflow.medications.forms import (
    AdministrationForm,
    ControlledLogFilterForm,
    HandOrderForm,
    LedgerForm,
    MaintenanceOfferForm,
    OverrideForm,
    ProtocolLineForm,
    ProtocolOrderForm,
    StopOrderForm,
    TaperForm,
)
from detoxflow.medications.models import ControlledLedgerEntry, ControlledStock, TaperPlan
from detoxflow.medications.queries import (
    LOG_PAGE_SIZE,
    SHIFT_HOURS,
    controlled_log_page,
    get_order_for,
    maintenance_offer_of,
    mar_for_episode,
    round_for_unit,
    shift_around,
    tapers_of,
)
from detoxflow.web.forms import show_on_form


def _mar(request: HttpRequest, episode: Episode, status: int = 200, **extra: object) -> HttpResponse:
    lines = mar_for_episode(episode, timezone.now())
    context = {
        "episode": episode,
        "patient": episode.patient,
        "lines": lines,
        "protocol_form": extra.get("protocol_form") or ProtocolOrderForm(),
        "hand_form": extra.get("hand_form") or HandOrderForm(),
        "override_form": extra.get("override_form"),
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


def stop(request: HttpRequest, order_id: int) -> HttpResponse:
    """Stop an order: GET asks for the reason and shows what stops with it; POST confirms."""
    order = get_order_for(request, order_id, Action.SIGN_ORDER)
    if order.stopped_at is not None:
        return redirect("mar", order.episode_id)
    form = StopOrderForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.stop_order(
                    staff_member(request),
                    order,
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                    address=client_address(request),
                )
            except InvalidInput as error:
                show_on_form(form, error)
            else:
                return redirect("mar", order.episode_id)
        status = 400
    return render(
        request,
        "medications/stop_order.html",
        {"order": order, "episode": order.episode, "patient": order.episode.patient, "form": form},
        status=status,
    )


@require_POST
def authorise_override(request: HttpRequest, order_id: int) -> HttpResponse:
    """A physician sets aside the hard stops of an order, for the next dose or until a time; nothing is given."""
    order = get_order_for(request, order_id, Action.OVERRIDE_SAFETY_STOP)
    form = OverrideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.authorise_override(
                staff_member(request),
                order.pk,
                reason=data["reason"],
                scope=data["scope"],
                until=data["until"],
                rule_ids=data["rule_ids"],
                now=timezone.now(),
                address=client_address(request),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("mar", order.episode_id)
    return _mar(request, order.episode, 400, override_form=form, error_order=order.pk)


@require_POST
def administer(request: HttpRequest, order_id: int) -> HttpResponse:
    """Record a dose; a hard stop comes back in place (on the MAR or the round) with its reasons and nothing saved."""
    order = get_order_for(request, order_id, Action.ADMINISTER_DOSE)
    form = AdministrationForm(request.POST)
    unit_id = order.episode.unit_id if request.POST.get("return_to") == "round" else None
    from_round = unit_id is not None

    def refused(status: int, message: str) -> HttpResponse:
        if unit_id is not None:
            unit = get_unit_for(request, unit_id, Action.VIEW_CENSUS)
            return _round(request, unit, status, error=message, error_order=order.pk)
        return _mar(request, order.episode, status, error=message, error_order=order.pk)

    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return refused(400, f"{form.fields[field].label or field}: {errors[0]}")
    data = form.cleaned_data
    try:
        services.record_administration(
            staff_member(request),
            order.pk,
            status=data["status"],
            dose_mg=data["dose_mg"],
            due_at=data["due_at"],
            reason=data["reason"],
            now=timezone.now(),
            address=client_address(request),
        )
    except InvalidInput as error:
        return refused(error.status_code, error.message)
    if from_round:
        return redirect("unit-mar", order.episode.unit_id)
    return redirect("mar", order.episode_id)


# 200,000 log lines at LOG_PAGE_SIZE a page; a bigger number reads as the last page allowed, not as an error.
MAX_LOG_PAGE = 4_000


def _page_number(raw: str | None) -> int:
    """?page=N from 1 to MAX_LOG_PAGE; anything else (missing, not a number, 0) is page 1."""
    if raw is None or not (raw.isascii() and raw.isdigit()):
        return 1
    return min(max(int(raw), 1), MAX_LOG_PAGE) if len(raw) <= 18 else MAX_LOG_PAGE


def _page_link(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return f"{reverse('controlled-log')}?{query.urlencode()}"


def _controlled(
    request: HttpRequest, status: int = 200, form: LedgerForm | None = None, error: str = ""
) -> HttpResponse:
    user = staff_member(request)
    stocks = ControlledStock.objects.restrict(user, Action.KEEP_CONTROLLED_LOG).select_related("unit")
    query = request.GET.copy()
    query.pop("page", None)
    filter_form = ControlledLogFilterForm(query or None, facility_id=user.facility_id)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    page = _page_number(request.GET.get("page"))
    entries: list[ControlledLedgerEntry] = []
    if not filter_form.errors:
        entries = controlled_log_page(
            ControlledLedgerEntry.objects.restrict(user, Action.KEEP_CONTROLLED_LOG),
            filters,
            offset=(page - 1) * LOG_PAGE_SIZE,
            limit=LOG_PAGE_SIZE + 1,  # one more than shown tells whether a next page exists, without counting
        )
    elif status == 200:
        status = 400
    return render(
        request,
        "medications/controlled.html",
        {
            "stocks": list(stocks),
            "entries": entries[:LOG_PAGE_SIZE],
            "filter_form": filter_form,
            "page": page,
            "previous_page": _page_link(request, page - 1) if page > 1 else "",
            "next_page": _page_link(request, page + 1) if len(entries) > LOG_PAGE_SIZE else "",
            "discrepancies": ledger.open_discrepancies(user.facility_id),
            "form": form or LedgerForm(facility_id=user.facility_id),
            "error": error,
        },
        status=status,
    )


def controlled_log(request: HttpRequest) -> HttpResponse:
    """Every controlled stock's balance, open discrepancies, and the log itself: filtered, paged, newest first."""
    require(request, Action.KEEP_CONTROLLED_LOG)
    asked = {k: v[:100] for k, v in request.GET.items() if v and k in ControlledLogFilterForm.base_fields}
    record_request_event(request, "controlled.view", detail=asked)
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


def _round(
    request: HttpRequest, unit: Unit, status: int = 200, *, error: str = "", error_order: int | None = None
) -> HttpResponse:
    now = timezone.now()
    start, end = shift_around(_shift_moment(request.GET.get("shift")) or now)
    episodes = list(
        Episode.objects.restrict(staff_member(request), Action.VIEW_CENSUS)
        .filter(unit=unit, discharged_at__isnull=True)
        .exclude(stage="pre_admission")
        .select_related("patient", "bed")
        .order_by("bed__label", "pk")
    )
    timing = rules_in_force(unit.facility_id, RuleSet.DOSE_TIMING).rules
    hours, rows = round_for_unit(episodes, now, start, timing)
    record_request_event(
        request,
        "unit_mar.view",
        facility_id=unit.facility_id,
        object_type="Unit",
        object_id=unit.pk,
        detail={"patients_shown": [e.patient_id for e in episodes], "shift_start": start.isoformat()},
    )
    return render(
        request,
        "medications/unit_mar.html",
        {
            "unit": unit,
            "rows": rows,
            "hours": hours,
            "now": now,
            "shift_start": start,
            "shift_end": end,
            "previous_shift": (start - dt.timedelta(hours=SHIFT_HOURS)).strftime(SHIFT_FORMAT),
            "next_shift": end.strftime(SHIFT_FORMAT),
            "this_shift": start <= now < end,
            "error": error,
            "error_order": error_order,
        },
        status=status,
    )


# ?shift=2026-11-20T07:00 (local): any moment inside the shift to show.
SHIFT_FORMAT = "%Y-%m-%dT%H:%M"


def _shift_moment(raw: str | None) -> dt.datetime | None:
    """The ?shift= moment as an aware local time, or None (the current shift) when missing or not a time."""
    if not raw or len(raw) > 32:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def unit_mar(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The unit's time-slot medication round for one shift: hour columns, each order's doses in their slots,
    and where each next dose stands, with the dose recorded from the round itself."""
    unit = get_unit_for(request, unit_id, Action.VIEW_CENSUS)
    return _round(request, unit)
