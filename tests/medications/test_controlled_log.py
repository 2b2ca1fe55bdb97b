"""The controlled-substance log: running balance, doses leave stock, witnessed waste, counts and discrepancies."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.utils import timezone

from detoxflow.accounts.permissions import Action, Role
from detoxflow.audit.models import AppendOnlyError
from detoxflow.errors import InvalidInput
from detoxflow.medications import ledger
from detoxflow.medications.models import ControlledLedgerEntry
from detoxflow.medications.queries import controlled_log_page
from tests.medications.test_mar import bup_order, chart, give

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


def test_the_log_page_names_the_patient_of_every_dispense_with_full_dates(client_as, staff, episode):
    order = bup_order(staff, episode)
    chart(staff, episode, T1 - dt.timedelta(minutes=10))
    give(staff, order, T1)
    page = client_as(Role.NURSE).get("/controlled-substances/").content.decode()
    assert '<td data-label="Patient">Sampleton, Alex <span class="muted">SYN-000001</span></td>' in page
    assert timezone.localtime(T1).strftime("%a %-d %b %Y, %H:%M") in page


T1 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def busy_log(staff, unit, stock):
    """60 methadone deliveries on North over three days, and one buprenorphine count at the facility."""
    nurse, physician = staff[Role.NURSE], staff[Role.PHYSICIAN]
    for k in range(60):
        who = physician if k % 2 else nurse
        ledger.receive(who, stock, Decimal(1), note=f"delivery {k}", now=T0 + dt.timedelta(hours=k), address=None)
    facility_bup = ledger.stock_for(unit.facility_id, None, "buprenorphine_sl")
    ledger.count(nurse, facility_bup, Decimal(0), note="night", now=T0, address=None)


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({}, 50),
        ({"page": "2"}, 11),
        ({"medicine_code": "buprenorphine_sl"}, 1),
        ({"kind": "count"}, 1),
        ({"person": "phil"}, 0),
        ({"since": "2026-11-21", "until": "2026-11-21"}, 24),
        ({"page": "99999999999999999999999"}, 0),
    ],
    ids=["first-page", "second-page", "medicine", "kind", "person-by-username-is-not-a-name", "one-day", "huge-page"],
)
def test_the_log_filters_and_pages(client_as, busy_log, query, shown, settings):
    settings.TIME_ZONE = "UTC"
    response = client_as(Role.NURSE).get("/controlled-substances/", query)
    assert response.status_code == 200
    assert len(response.context["entries"]) == shown


def test_the_log_filters_by_person_and_unit_and_links_the_next_page(client_as, staff, unit, busy_log):
    nurse = client_as(Role.NURSE)
    name = staff[Role.PHYSICIAN].display_name
    by_phil = nurse.get("/controlled-substances/", {"person": name}).context["entries"]
    assert len(by_phil) == 30
    assert {e.by_name for e in by_phil} == {name}
    on_north = nurse.get("/controlled-substances/", {"unit": unit.pk})
    assert {e.stock.unit_id for e in on_north.context["entries"]} == {unit.pk}
    assert on_north.context["next_page"] == f"/controlled-substances/?unit={unit.pk}&page=2"


def test_a_bad_filter_is_named_and_shows_nothing(client_as, busy_log):
    response = client_as(Role.NURSE).get("/controlled-substances/", {"since": "2026-11-22", "until": "2026-11-21"})
    assert response.status_code == 400
    assert response.context["filter_form"].errors["until"] == ["The last day is before the first."]


def test_a_log_page_is_one_query_whatever_the_filters(staff, busy_log, django_assert_num_queries):
    rows = ControlledLedgerEntry.objects.restrict(staff[Role.NURSE], Action.KEEP_CONTROLLED_LOG)
    with django_assert_num_queries(1):
        page = controlled_log_page(rows, {"kind": "received", "person": "user"}, offset=0, limit=51)
        assert [e.stock.unit is not None and e.administration is None for e in page] == [True] * 51
