"""The controlled-substance log: every movement of a controlled medicine, with its running balance.

Each write locks the stock row, so two entries can never compute their balance from the same
previous line. Entries are append-only, like the audit trail.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from detoxflow.accounts.models import User
from detoxflow.audit.services import record_event
from detoxflow.clinical.formulary import FORMULARY
from detoxflow.errors import InvalidInput
from detoxflow.medications.models import ControlledLedgerEntry, ControlledStock, LedgerKind, MedicationAdministration


def stock_for(facility_id: int, unit_id: int | None, medicine_code: str) -> ControlledStock:
    """The stock row for a unit and medicine, created empty the first time."""
    medicine = FORMULARY[medicine_code]
    if not medicine.controlled:
        raise InvalidInput("medicine_code", f"{medicine.name} is not a controlled medicine.")
    stock, _ = ControlledStock.objects.get_or_create(
        facility_id=facility_id,
        unit_id=unit_id,
        medicine_code=medicine_code,
        defaults={"medicine_name": medicine.name},
    )
    return stock


def balance(stock: ControlledStock) -> Decimal:
    """The running balance after the newest entry (zero before any)."""
    newest = stock.entries.order_by("-at", "-pk").values_list("balance_mg", flat=True).first()
    return newest if newest is not None else Decimal(0)


def _append(
    actor: User,
    stock: ControlledStock,
    kind: LedgerKind,
    change: Decimal,
    *,
    now: dt.datetime,
    address: str | None,
    **fields: object,
) -> ControlledLedgerEntry:
    locked = ControlledStock.objects.select_for_update().get(pk=stock.pk)
    after = balance(locked) + change
    if after < 0:
        raise InvalidInput(
            "quantity_mg",
            f"The log shows {balance(locked).normalize():f} mg of {stock.medicine_name}; "
            f"{-change:f} mg cannot leave it. Record the delivery or count first.",
        )
    entry = ControlledLedgerEntry.objects.create(
        facility_id=stock.facility_id,
        stock=locked,
        kind=kind,
        change_mg=change,
        balance_mg=after,
        at=now,
        by=actor,
        by_name=actor.display_name,
        **fields,
    )
    record_event(
        actor=actor,
        action=f"controlled.{kind}",
        object_type="ControlledLedgerEntry",
        object_id=entry.pk,
        address=address,
        detail={"stock": stock.pk, "change_mg": str(change), "balance_mg": str(after)},
    )
    return entry


def receive(
    actor: User, stock: ControlledStock, quantity_mg: Decimal, *, note: str, now: dt.datetime, address: str | None
) -> ControlledLedgerEntry:
    """A delivery from pharmacy."""
    if quantity_mg <= 0:
        raise InvalidInput("quantity_mg", "A delivery must be more than zero.")
    with transaction.atomic():
        return _append(actor, stock, LedgerKind.RECEIVED, quantity_mg, now=now, address=address, note=note)


def dispense(
    actor: User, administration: MedicationAdministration, *, now: dt.datetime, address: str | None
) -> ControlledLedgerEntry:
    """The dose just given leaves the unit's stock (called inside the administration's transaction)."""
    episode = administration.episode
    stock = stock_for(episode.facility_id, episode.unit_id, administration.order.medicine_code)
    return _append(
        actor,
        stock,
        LedgerKind.DISPENSED,
        -administration.dose_mg,
        now=now,
        address=address,
        administration=administration,
    )


def waste(
    actor: User,
    stock: ControlledStock,
    quantity_mg: Decimal,
    *,
    witness: User | None,
    note: str,
    now: dt.datetime,
    address: str | None,
) -> ControlledLedgerEntry:
    """Waste needs a second clinician who saw it."""
    if witness is None:
        raise InvalidInput("witness", "Waste of a controlled medicine needs a witness who signs in.")
    if witness.pk == actor.pk:
        raise InvalidInput("witness", "The witness must be someone else.")
    if quantity_mg <= 0:
        raise InvalidInput("quantity_mg", "Waste must be more than zero.")
    if not note.strip():
        raise InvalidInput("note", "Say what was wasted and why (e.g. partial tablet, dropped dose).")
    with transaction.atomic():
        return _append(
            actor,
            stock,
            LedgerKind.WASTED,
            -quantity_mg,
            now=now,
            address=address,
            witness_name=witness.display_name,
            note=note,
        )


def count(
    actor: User, stock: ControlledStock, counted_mg: Decimal, *, note: str, now: dt.datetime, address: str | None
) -> ControlledLedgerEntry:
    """A shift count; a mismatch stays open as a discrepancy until a manager resolves it."""
    if counted_mg < 0:
        raise InvalidInput("counted_mg", "A count cannot be negative.")
    with transaction.atomic():
        expected = balance(ControlledStock.objects.select_for_update().get(pk=stock.pk))
        return _append(
            actor,
            stock,
            LedgerKind.COUNT,
            Decimal(0),
            now=now,
            address=address,
            counted_mg=counted_mg,
            discrepancy_mg=counted_mg - expected,
            note=note,
        )


def resolve(
    actor: User, count_entry: ControlledLedgerEntry, *, note: str, now: dt.datetime, address: str | None
) -> ControlledLedgerEntry:
    """Close a discrepancy: the balance is set to what was counted, with the manager's explanation."""
    if count_entry.kind != LedgerKind.COUNT or not count_entry.discrepancy_mg:
        raise InvalidInput("count", "Only a count with a discrepancy can be resolved.")
    if ControlledLedgerEntry.objects.filter(resolves=count_entry).exists():
        raise InvalidInput("count", "This discrepancy is already resolved.")
    if not note.strip():
        raise InvalidInput("note", "Explain the discrepancy (investigation, report filed).")
    with transaction.atomic():
        return _append(
            actor,
            count_entry.stock,
            LedgerKind.RESOLUTION,
            count_entry.discrepancy_mg,
            now=now,
            address=address,
            resolves=count_entry,
            note=note,
        )


def open_discrepancies(facility_id: int) -> list[ControlledLedgerEntry]:
    """Counts that did not match and are not yet resolved."""
    return list(
        ControlledLedgerEntry.objects.filter(facility_id=facility_id, kind=LedgerKind.COUNT, resolution__isnull=True)
        .exclude(discrepancy_mg=0)
        .select_related("stock")
    )
