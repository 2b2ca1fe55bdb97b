"""Facility protocols: copy a published protocol, edit a line (a new version each time), and read them back."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from detoxflow.accounts.models import User
from detoxflow.audit.services import record_event
from detoxflow.clinical.formulary import FORMULARY
from detoxflow.clinical.protocols import PUBLISHED_PROTOCOLS, OrderKind, Protocol, ProtocolLine
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.medications.models import FacilityProtocol

DECIMALS = ("dose_mg", "single_dose_max_mg", "daily_max_mg", "first_dose_max_mg", "first_day_max_mg")


def _line_to_json(line: ProtocolLine) -> dict[str, Any]:
    data = dataclasses.asdict(line)
    data["kind"] = line.kind.value
    return {k: str(v) if k in DECIMALS and v is not None else v for k, v in data.items()}


def _line_from_json(data: dict[str, Any]) -> ProtocolLine:
    values: dict[str, Any] = {k: Decimal(v) if k in DECIMALS and v is not None else v for k, v in data.items()}
    values["kind"] = OrderKind(values["kind"])
    return ProtocolLine(**values)


def as_protocol(row: FacilityProtocol) -> Protocol:
    """The stored version as the same dataclass a published protocol is."""
    return Protocol(
        code=row.code,
        name=f"{row.name} v{row.version}",
        lines=tuple(_line_from_json(d) for d in row.lines),
        source=row.source,
    )


def current_protocols(facility_id: int) -> list[FacilityProtocol]:
    """The newest version of each of the facility's protocols."""
    newest: dict[str, FacilityProtocol] = {}
    for row in FacilityProtocol.objects.filter(facility_id=facility_id).order_by("code", "-version"):
        newest.setdefault(row.code, row)
    return list(newest.values())


def copy_published(actor: User, code: str, *, now: dt.datetime, address: str | None) -> FacilityProtocol:
    """Start the facility's own version 1 of a published protocol."""
    published = PUBLISHED_PROTOCOLS.get(code)
    if published is None:
        raise InvalidInput("protocol", "Choose a published protocol to copy.")
    if FacilityProtocol.objects.filter(facility_id=actor.facility_id, code=code).exists():
        raise Conflict("protocol", f"This facility already has its copy of {published.name}; edit that one.")
    return _save(
        actor,
        code=code,
        version=1,
        name=published.name,
        based_on=code,
        lines=[_line_to_json(line) for line in published.lines],
        source=f"Facility copy of the published protocol ({published.source})",
        reason="Copied from the published protocol",
        now=now,
        address=address,
    )


def edit_line(
    actor: User,
    protocol: FacilityProtocol,
    index: int,
    changes: dict[str, Any],
    *,
    reason: str,
    now: dt.datetime,
    address: str | None,
) -> FacilityProtocol:
    """Save a new version with one line changed; the line must stay within the formulary's limits."""
    if not reason.strip():
        raise InvalidInput("reason", "Say why the protocol changes (e.g. medical director decision and date).")
    if not 0 <= index < len(protocol.lines):
        raise InvalidInput("line", "No such line in this protocol.")
    line = dataclasses.replace(_line_from_json(protocol.lines[index]), **changes)
    medicine = FORMULARY[line.medicine_code]
    if line.dose_mg <= 0 or line.dose_mg > line.single_dose_max_mg:
        raise InvalidInput("dose_mg", "The dose must be above zero and within the line's single-dose maximum.")
    if line.single_dose_max_mg > medicine.single_dose_max_mg:
        raise InvalidInput(
            "single_dose_max_mg", f"Above the formulary's {medicine.single_dose_max_mg.normalize():f} mg."
        )
    if line.daily_max_mg > medicine.daily_max_mg:
        raise InvalidInput("daily_max_mg", f"Above the formulary's {medicine.daily_max_mg.normalize():f} mg a day.")
    if line.min_interval_minutes < 1:
        raise InvalidInput("min_interval_minutes", "Give the minimum minutes between doses.")
    lines = list(protocol.lines)
    lines[index] = _line_to_json(line)
    return _save(
        actor,
        code=protocol.code,
        version=protocol.version + 1,
        name=protocol.name,
        based_on=protocol.based_on,
        lines=lines,
        source=protocol.source,
        reason=reason.strip(),
        now=now,
        address=address,
    )


def _save(
    actor: User,
    *,
    code: str,
    version: int,
    name: str,
    based_on: str,
    lines: list[dict[str, Any]],
    source: str,
    reason: str,
    now: dt.datetime,
    address: str | None,
) -> FacilityProtocol:
    try:
        with transaction.atomic():
            row = FacilityProtocol.objects.create(
                facility_id=actor.facility_id,
                code=code,
                version=version,
                name=name,
                based_on=based_on,
                lines=lines,
                source=source,
                reason=reason,
                created_at=now,
                created_by_name=actor.display_name,
            )
            record_event(
                actor=actor,
                action="protocol.save",
                object_type="FacilityProtocol",
                object_id=row.pk,
                address=address,
                detail={"code": code, "version": version},
            )
    except IntegrityError:
        raise Conflict("version", "Someone saved a new version a moment ago; reload and edit that one.") from None
    return row
