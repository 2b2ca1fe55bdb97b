"""The controlled-substance log: running balance, doses leave stock, witnessed waste, counts and discrepancies."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AppendOnlyError
from detoxflow.errors import InvalidInput
from detoxflow.medications import ledger
from detoxflow.medications.models import ControlledLedgerEntry

T0 = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def stock(unit):
    return ledger.stock_for(unit.facility_id, unit.pk, "methadone_oral")


def test_entries_keep_a_running_balance(staff, stock):
    nurse = staff[Role.NURSE]
    ledger.receive(nurse, stock, Decimal(100), note="pharmacy", now=T0, address=None)
    ledger.waste(nurse, stock, Decimal(5), witness=staff[Role.PHYSICIAN], note="dropped dose", now=T0, address=None)
    assert ledger.balance(stock) == 95
    assert [e.balance_mg for e in stock.entries.order_by("at", "pk")] == [100, 95]
    assert stock.entries.last().witness_name == staff[Role.PHYSICIAN].display_name


@pytest.mark.parametrize(
    ("who", "quantity", "note", "field"),
    [
        (None, 5, "x", "witness"),
        ("self", 5, "x", "witness"),
        ("physician", 0, "x", "quantity_mg"),
        ("physician", 5, "", "note"),
        ("physician", 500, "x", "quantity_mg"),
    ],
    ids=["no-witness", "self-witness", "zero", "no-note", "more-than-in-stock"],
)
def test_waste_rules(staff, stock, who, quantity, note, field):
    nurse = staff[Role.NURSE]
    ledger.receive(nurse, stock, Decimal(100), note="pharmacy", now=T0, address=None)
    witness = {None: None, "self": nurse, "physician": staff[Role.PHYSICIAN]}[who]
    with pytest.raises(InvalidInput) as refused:
        ledger.waste(nurse, stock, Decimal(quantity), witness=witness, note=note, now=T0, address=None)
    assert refused.value.field == field
    assert ledger.balance(stock) == 100


def test_a_count_that_does_not_match_stays_open_until_a_manager_resolves_it(staff, stock, client_as):
    nurse = staff[Role.NURSE]
    ledger.receive(nurse, stock, Decimal(100), note="pharmacy", now=T0, address=None)
    matching = ledger.count(nurse, stock, Decimal(100), note="day shift", now=T0, address=None)
    short = ledger.count(nurse, stock, Decimal(90), note="night shift", now=T0, address=None)
    assert (matching.discrepancy_mg, short.discrepancy_mg) == (0, -10)
    assert ledger.open_discrepancies(stock.facility_id) == [short]
    assert "Open discrepancies" in client_as(Role.NURSE).get("/controlled-substances/").content.decode()
    assert client_as(Role.NURSE).post(f"/controlled-substances/{short.pk}/resolve/", {"note": "x"}).status_code == 403
    client_as(Role.UNIT_MANAGER).post(
        f"/controlled-substances/{short.pk}/resolve/", {"note": "Spill found on camera; incident report 12"}
    )
    assert ledger.open_discrepancies(stock.facility_id) == []
    assert ledger.balance(stock) == 90


def test_the_log_is_append_only(staff, stock):
    entry = ledger.receive(staff[Role.NURSE], stock, Decimal(10), note="x", now=T0, address=None)
    entry.note = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        ControlledLedgerEntry.objects.all().delete()


def waste_form(stock, witness_password):
    """A 5 mg methadone waste as the controlled-log page posts it, witnessed by phil."""
    return {
        "kind": "wasted",
        "unit": stock.unit_id,
        "medicine_code": "methadone_oral",
        "quantity_mg": "5",
        "witness_username": "phil",
        "witness_password": witness_password,
        "note": "partial dose",
    }


def test_witnessed_waste_through_the_page_checks_the_witness_password(client_as, staff, stock):
    nurse = client_as(Role.NURSE)
    ledger.receive(staff[Role.NURSE], stock, Decimal(100), note="pharmacy", now=T0, address=None)
    form = waste_form(stock, "wrong")
    response = nurse.post("/controlled-substances/record/", form)
    assert response.status_code == 400
    assert "Witness: The username or password is not right." in response.context["form"].errors["witness_username"][0]
    nurse.post("/controlled-substances/record/", {**form, "witness_password": "correct horse battery"})
    assert ledger.balance(stock) == 95


@override_settings(AXES_FAILURE_LIMIT=3)
def test_wrong_witness_passwords_count_toward_the_witness_lockout(client_as, staff, stock):
    nurse = client_as(Role.NURSE)
    ledger.receive(staff[Role.NURSE], stock, Decimal(100), note="pharmacy", now=T0, address=None)
    form = waste_form(stock, "guess")
    for _ in range(3):
        nurse.post("/controlled-substances/record/", form)
    # Locked now: the right password is refused too, at the ledger and at the sign-in page.
    response = nurse.post("/controlled-substances/record/", {**form, "witness_password": "correct horse battery"})
    assert response.status_code == 400
    assert "locked" in response.context["form"].errors["witness_username"][0]
    assert ledger.balance(stock) == 100
    refused = Client().post("/sign-in/", {"username": "phil", "password": "correct horse battery"})
    assert "locked" in refused.context["form"].errors["username"][0]
    # The nurse's own session is untouched: her page still works.
    assert nurse.get("/controlled-substances/").status_code == 200


def test_the_api_witness_goes_through_the_same_door(client_as, staff, stock):
    nurse = client_as(Role.NURSE)
    ledger.receive(staff[Role.NURSE], stock, Decimal(100), note="pharmacy", now=T0, address=None)
    body = {
        "kind": "wasted",
        "unit_id": stock.unit_id,
        "medicine_code": "methadone_oral",
        "quantity_mg": "5",
        "witness_username": "phil",
        "witness_password": "guess",
        "note": "partial dose",
    }
    response = nurse.post("/api/controlled-stocks/entries", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "witness"
    assert AccessAttempt.objects.get(username="phil").failures_since_start == 1


def test_non_controlled_medicines_have_no_stock(unit):
    with pytest.raises(InvalidInput, match="not a controlled medicine"):
        ledger.stock_for(unit.facility_id, unit.pk, "ondansetron")


def test_api_receives_counts_and_refuses_unwitnessed_waste(client_as, unit):
    nurse = client_as(Role.NURSE)

    def post(body):
        return nurse.post("/api/controlled-stocks/entries", json.dumps(body), content_type="application/json")

    base = {"medicine_code": "methadone_oral", "unit_id": unit.pk}
    assert Decimal(post({**base, "kind": "received", "quantity_mg": "100"}).json()["balance_mg"]) == 100
    refused = post({**base, "kind": "wasted", "quantity_mg": "5", "note": "spilt"})
    assert (refused.status_code, refused.json()["field"]) == (400, "witness")
    counted = post({**base, "kind": "count", "quantity_mg": "98"}).json()
    assert Decimal(counted["discrepancy_mg"]) == -2
    stocks = nurse.get("/api/controlled-stocks").json()
    assert [(s["medicine_code"], Decimal(s["balance_mg"])) for s in stocks] == [("methadone_oral", 100)]
