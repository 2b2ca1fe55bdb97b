"""The controlled-substance log cannot lie: numbered under the stock's lock, never below zero, one stock row.

PostgreSQL runs the concurrency cases with real parallel connections; SQLite serialises writers anyway.
"""

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from detoxflow.accounts.permissions import Role
from detoxflow.errors import Conflict
from detoxflow.medications import ledger
from detoxflow.medications.models import (
    ControlledLedgerEntry,
    ControlledStock,
    MedicationAdministration,
    MedicationRequest,
)

T0 = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)
PARALLEL = 8


def assert_the_log_adds_up(stock: ControlledStock) -> None:
    """Every entry's balance is the sum of every movement up to it, numbered 1, 2, 3 ... with no gap."""
    entries = list(ControlledLedgerEntry.objects.filter(stock=stock).order_by("sequence"))
    assert [e.sequence for e in entries] == list(range(1, len(entries) + 1))
    running = Decimal(0)
    for entry in entries:
        running += entry.change_mg
        assert entry.balance_mg == running, (entry.sequence, entry.balance_mg, running)
        assert entry.balance_mg >= 0
    stock.refresh_from_db()
    assert (stock.balance_mg, stock.last_sequence) == (running, len(entries))


def in_parallel(work: Callable[[int], None]) -> list[str]:
    """Run `work(i)` on PARALLEL threads released at once; each answers 'ok' or the error's class name."""
    barrier = threading.Barrier(PARALLEL)
    outcomes: list[str] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections, which only the PostgreSQL run has")


@pytest.fixture
def stock(unit):
    return ledger.stock_for(unit.facility_id, unit.pk, "methadone_oral")


def test_a_waste_beyond_the_balance_is_refused_naming_it_and_writes_nothing(staff, stock):
    ledger.receive(staff[Role.NURSE], stock, Decimal(30), note="pharmacy", now=T0, address=None)
    with pytest.raises(Conflict) as refused:
        ledger.waste(
            staff[Role.NURSE], stock, Decimal(31), witness=staff[Role.PHYSICIAN], note="spill", now=T0, address=None
        )
    assert refused.value.status_code == 409
    assert "The log shows 30 mg" in refused.value.message
    assert ControlledLedgerEntry.objects.filter(stock=stock).count() == 1
    assert_the_log_adds_up(stock)


def test_an_entry_is_never_timed_before_the_one_it_follows(staff, stock):
    nurse = staff[Role.NURSE]
    ledger.receive(nurse, stock, Decimal(30), note="pharmacy", now=T0, address=None)
    late = ledger.receive(nurse, stock, Decimal(5), note="second box", now=T0 - dt.timedelta(minutes=3), address=None)
    assert late.at == T0
    assert late.sequence == 2


def test_mixed_movements_add_up_line_by_line(staff, stock):
    nurse, physician = staff[Role.NURSE], staff[Role.PHYSICIAN]
    ledger.receive(nurse, stock, Decimal(100), note="pharmacy", now=T0, address=None)
    ledger.waste(nurse, stock, Decimal("2.5"), witness=physician, note="partial", now=T0, address=None)
    count = ledger.count(nurse, stock, Decimal(95), note="shift", now=T0, address=None)
    ledger.resolve(staff[Role.UNIT_MANAGER], count, note="recount, report 12", now=T0, address=None)
    ledger.receive(nurse, stock, Decimal(10), note="pharmacy", now=T0, address=None)
    assert ledger.balance(stock) == 105
    assert_the_log_adds_up(stock)


def test_one_facility_level_stock_per_medicine_even_without_a_unit(unit):
    ledger.stock_for(unit.facility_id, None, "methadone_oral")
    assert ledger.stock_for(unit.facility_id, None, "methadone_oral").pk == ControlledStock.objects.get(unit=None).pk
    with pytest.raises(IntegrityError), transaction.atomic():
        ControlledStock.objects.create(
            facility_id=unit.facility_id, unit=None, medicine_code="methadone_oral", medicine_name="x"
        )


def test_the_database_refuses_a_negative_balance(staff, stock):
    with pytest.raises(IntegrityError), transaction.atomic():
        ControlledStock.objects.filter(pk=stock.pk).update(balance_mg=Decimal(-1))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_eight_parallel_wastes_of_half_the_balance_let_exactly_two_through(staff, stock):
    needs_postgres()
    ledger.receive(staff[Role.NURSE], stock, Decimal(332), note="pharmacy", now=T0, address=None)

    def waste(i: int) -> None:
        ledger.waste(
            staff[Role.NURSE],
            stock,
            Decimal(166),
            witness=staff[Role.PHYSICIAN],
            note=f"spill {i}",
            # Each request read its own clock: the earliest must not sort before entries already written.
            now=T0 + dt.timedelta(seconds=PARALLEL - i),
            address=None,
        )

    outcomes = in_parallel(waste)
    assert sorted(outcomes) == ["ok"] * 2 + ["refused"] * (PARALLEL - 2)
    assert ledger.balance(stock) == 0
    assert_the_log_adds_up(stock)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("on_a_unit", [True, False], ids=["unit-stock", "facility-stock"])
def test_eight_parallel_first_deliveries_make_one_stock_row(staff, unit, on_a_unit):
    needs_postgres()
    unit_id = unit.pk if on_a_unit else None

    def deliver(i: int) -> None:
        stock = ledger.stock_for(unit.facility_id, unit_id, "buprenorphine_sl")
        ledger.receive(staff[Role.NURSE], stock, Decimal(8), note=f"box {i}", now=T0, address=None)

    assert in_parallel(deliver) == ["ok"] * PARALLEL
    stocks = ControlledStock.objects.filter(
        facility_id=unit.facility_id, unit_id=unit_id, medicine_code="buprenorphine_sl"
    )
    assert stocks.count() == 1
    assert ledger.balance(stocks.get()) == 8 * PARALLEL
    assert_the_log_adds_up(stocks.get())


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_eight_parallel_doses_from_the_medication_record_never_overdraw_the_stock(staff, episode):
    needs_postgres()
    stock = ControlledStock.objects.get(unit=episode.unit, medicine_code="buprenorphine_sl")
    order = MedicationRequest.objects.create(
        facility_id=episode.facility_id,
        episode=episode,
        medicine_code="buprenorphine_sl",
        medicine_name="Buprenorphine SL tablet",
        kind="as_needed",
        dose_mg=Decimal(4),
        min_interval_minutes=60,
        single_dose_max_mg=Decimal(8),
        daily_max_mg=Decimal(32),
        built_from="test",
        starts_at=T0,
        signed_at=T0,
        signed_by_name="test",
    )
    half = stock.balance_mg / 2
    doses = [
        MedicationAdministration.objects.create(
            facility_id=episode.facility_id,
            episode=episode,
            order=order,
            status="given",
            dose_mg=half,
            at=T0,
            by_name="test",
        )
        for _ in range(PARALLEL)
    ]

    def dispense(i: int) -> None:
        with transaction.atomic():
            ledger.dispense(staff[Role.NURSE], doses[i], now=T0, address=None)

    outcomes = in_parallel(dispense)
    assert sorted(outcomes) == ["ok"] * 2 + ["refused"] * (PARALLEL - 2)
    assert ledger.balance(stock) == 0
    assert_the_log_adds_up(stock)


def test_the_api_answers_409_naming_the_balance(client_as, staff, stock):
    ledger.receive(staff[Role.NURSE], stock, Decimal(10), note="pharmacy", now=T0, address=None)
    body = {
        "kind": "wasted",
        "unit_id": stock.unit_id,
        "medicine_code": "methadone_oral",
        "quantity_mg": "20",
        "witness_username": "phil",
        "witness_password": "correct horse battery",
        "note": "spill",
    }
    response = client_as(Role.NURSE).post("/api/controlled-stocks/entries", body, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["field"] == "quantity_mg"
    assert "The log shows 10 mg" in response.json()["message"]
    assert ledger.balance(stock) == 10
