"""The controlled-substance log: every movement of a controlled medicine, with its running balance.

Every movement goes through `_append`, which locks the stock row first and only then reads the balance
and the next sequence number from it, so two entries can never start from the same line, and a movement
that would take the stock below zero is refused. The time written is never earlier than the entry before
it, whatever clock the request read. Entries are append-only, like the audit trail; the database holds
the sequence unique per stock and every balance at or above zero.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from detoxflow.accounts.models import User
from detoxflow.audit.services import record_event
from detoxflow.clinical.formulary import FORMULARY
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.medications.models import ControlledLedgerEntry, ControlledStock, LedgerKind, MedicationAdministration


def stock_for(facility_id: int, unit_id: int | None, medicine_code: str) -> ControlledStock:
    """The stock row for a unit (or the facility) and medicine, created empty the first time.

    Two first deliveries at once both try to create it; the database's unique constraints let one
    in, and the other reads the row that one made.
    """
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
    """The running balance after the newest entry (zero before any), as the stock row holds it."""
    current: Decimal = ControlledStock.objects.values_list("balance_mg", flat=True).get(pk=stock.pk)
    return current


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
    """The one writer of the log: lock the stock, then number, balance and time the entry from it."""
    locked = ControlledStock.objects.select_for_update().get(pk=stock.pk)
    after = locked.balance_mg + change
    if after < 0:
        raise Conflict(
            "quantity_mg",
            f"The log shows {locked.balance_mg.normalize():f} mg of {stock.medicine_name}; "
            f"{-change:f} mg cannot leave it. Record the delivery or count first.",
        )
    sequence = locked.last_sequence + 1
    previous_at = (
        ControlledLedgerEntry.objects.filter(stock=locked, sequence=locked.last_sequence)
        .values_list("at", flat=True)
        .first()
    )
    at = max(now, previous_at) if previous_at else now
    entry = ControlledLedgerEntry.objects.create(
        facility_id=stock.facility_id,
        stock=locked,
        kind=kind,
        change_mg=change,
        balance_mg=after,
        sequence=sequence,
        at=at,
        by=actor,
        by_name=actor.display_name,
        **fields,
    )
    ControlledStock.objects.filter(pk=locked.pk).update(last_sequence=sequence, balance_mg=after)
    stock.last_sequence, stock.balance_mg = sequence, after
    record_event(
        actor=actor,
        action=f"controlled.{kind}",
        object_type="ControlledLedgerEntry",
        object_id=entry.pk,
        address=address,
        detail={"stock": stock.pk, "sequence": sequence, "change_mg": str(change), "balance_mg": str(after)},
    )
    return entry


def record_movement(
    actor: User,
    stock: ControlledStock,
    kind: str,
    quantity_mg: Decimal,
    *,
    witness: User | None,
    note: str,
    now: dt.datetime,
    address: str | None,
) -> ControlledLedgerEntry:
    """Receive, waste or count, as the controlled-log screen and the API both ask for it."""
    if kind == LedgerKind.RECEIVED:
        return receive(actor, stock, quantity_mg, note=note, now=now, address=address)
    if kind == LedgerKind.WASTED:
        return waste(actor, stock, quantity_mg, witness=witness, note=note, now=now, address=address)
    if kind == LedgerKind.COUNT:
        return count(actor, stock, quantity_mg, note=note, now=now, address=address)
    raise InvalidInput("kind", "Choose received, wasted or count.", status_code=422)


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
    """The dose just given leaves the unit's stock (called inside the administration's transaction).

    The dispenser is whoever gave the dose; a physician's override it went through on is named in the note,
    so the log keeps both people, each in their own role.
    """
    episode = administration.episode
    stock = stock_for(episode.facility_id, episode.unit_id, administration.order.medicine_code)
    note = f"Hard stop override authorised by {administration.override_by_name}" if administration.override_id else ""
    return _append(
        actor,
        stock,
        LedgerKind.DISPENSED,
        -administration.dose_mg,
        now=now,
        address=address,
        administration=administration,
        note=note,
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
        expected = ControlledStock.objects.select_for_update().get(pk=stock.pk).balance_mg
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
