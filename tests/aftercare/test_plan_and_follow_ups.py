"""The aftercare plan's items (offered by kind, changed, removed) and the follow-up calls coming up."""

import datetime as dt

import pytest
import time_machine

from detoxflow.accounts.permissions import Role
from detoxflow.aftercare import services
from detoxflow.aftercare.models import AftercareItem, FollowUpOutcome, FollowUpTask
from detoxflow.audit.models import AuditEvent
from detoxflow.directory.models import Resource
from detoxflow.episodes.models import Episode
from detoxflow.errors import InvalidInput
from tests.factories import PatientFactory

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


def entry(facility, kind, name):
    return Resource.objects.create(
        facility=facility, kind=kind, name=name, address="2 Sample St", phone="555-0112", hours_text="24/7"
    )


@pytest.fixture
def directory(facility):
    return {
        "na": entry(facility, "support_group", "Synthetic NA Night Group"),
        "otp": entry(facility, "otp", "Synthetic Methadone Program"),
        "house": entry(facility, "sober_living", "Synthetic Sober House"),
    }


@pytest.fixture
def na_item(staff, episode, directory):
    """The counselor's NA night group on the plan, no appointment yet: the item the change and removal tests act on."""
    return services.add_item(
        staff[Role.COUNSELOR],
        episode,
        "support_group",
        resource=directory["na"],
        appointment_at=None,
        detail="",
        address=None,
    )


def options(html):
    """The directory entries offered in the page's resource select."""
    select = html[html.index('name="resource"') :].split("</select>")[0]
    return [
        name
        for name in ("Synthetic NA Night Group", "Synthetic Methadone Program", "Synthetic Sober House")
        if name in select
    ]


# ---- Items offered by kind, changed and removed ---------------------------------------------------------------


def test_add_to_the_plan_is_on_the_page_not_folded_away(client_as, episode):
    page = client_as(Role.COUNSELOR).get(f"/episodes/{episode.pk}/aftercare/").content.decode()
    assert '<h3 id="add-h">Add to the plan</h3>' in page
    assert "<details" not in page


def test_the_entries_offered_are_those_that_fit_the_kind(client_as, episode, directory):
    counselor = client_as(Role.COUNSELOR)
    assert options(counselor.get("/aftercare/resources/?kind=support_group").content.decode()) == [
        "Synthetic NA Night Group"
    ]
    assert options(counselor.get("/aftercare/resources/?kind=housing").content.decode()) == ["Synthetic Sober House"]
    assert options(counselor.get("/aftercare/resources/?kind=methadone_otp").content.decode()) == [
        "Synthetic Methadone Program"
    ]
    everything = options(counselor.get(f"/episodes/{episode.pk}/aftercare/").content.decode())
    assert sorted(everything) == sorted(r.name for r in directory.values())  # no kind chosen yet: all of them
    assert 'hx-get="/aftercare/resources/"' in counselor.get(f"/episodes/{episode.pk}/aftercare/").content.decode()


def test_an_entry_that_does_not_fit_the_kind_is_refused_by_name(client_as, staff, episode, directory):
    with pytest.raises(InvalidInput) as refused:
        services.add_item(
            staff[Role.COUNSELOR],
            episode,
            "housing",
            resource=directory["na"],
            appointment_at=None,
            detail="",
            address=None,
        )
    assert refused.value.field == "resource"
    assert "Synthetic NA Night Group is listed as support group" in refused.value.message
    answer = client_as(Role.COUNSELOR).post(
        f"/episodes/{episode.pk}/aftercare/items/", {"kind": "housing", "resource": directory["na"].pk}
    )
    assert answer.status_code == 400
    assert "Choose a directory entry that offers this kind of aftercare." in answer.content.decode()
    assert not AftercareItem.objects.exists()


def test_an_item_is_changed_through_its_page_and_audited(client_as, staff, episode, directory):
    item = services.add_item(
        staff[Role.COUNSELOR],
        episode,
        "support_group",
        resource=directory["na"],
        appointment_at=T0 + dt.timedelta(days=3),
        detail="Tuesday",
        address=None,
    )
    counselor = client_as(Role.COUNSELOR)
    shown = counselor.get(f"/aftercare/items/{item.pk}/")
    assert shown.status_code == 200
    assert 'value="Tuesday"' in shown.content.decode()
    assert not AuditEvent.objects.filter(action="aftercare.update_item").exists()  # GET never writes
    moved = counselor.post(
        f"/aftercare/items/{item.pk}/",
        {
            "kind": "housing",
            "resource": directory["house"].pk,
            "appointment_at": "2026-11-25T10:00",
            "detail": "Intake",
        },
    )
    assert moved.status_code == 302
    item.refresh_from_db()
    assert (item.kind, item.resource_id, item.detail) == ("housing", directory["house"].pk, "Intake")
    event = AuditEvent.objects.get(action="aftercare.update_item")
    assert (event.detail["before"]["kind"], event.detail["after"]["kind"]) == ("support_group", "housing")
    assert event.user_name == staff[Role.COUNSELOR].username


def test_an_item_is_removed_and_the_audit_keeps_what_it_was(client_as, na_item):
    answer = client_as(Role.NURSE).post(f"/aftercare/items/{na_item.pk}/remove/")
    assert answer.status_code == 302
    assert not AftercareItem.objects.filter(pk=na_item.pk).exists()
    assert AuditEvent.objects.get(action="aftercare.remove_item").detail["resource"] == "Synthetic NA Night Group"


def test_a_discharged_patients_plan_no_longer_changes(staff, episode, na_item):
    Episode.objects.filter(pk=episode.pk).update(stage="discharged", discharged_at=T0, discharge_type="administrative")
    item = AftercareItem.objects.select_related("plan__episode").get(pk=na_item.pk)
    with pytest.raises(InvalidInput, match="can no longer change"):
        services.remove_item(staff[Role.COUNSELOR], item, address=None)
    with pytest.raises(InvalidInput, match="can no longer change"):
        services.update_item(
            staff[Role.COUNSELOR], item, "other", resource=None, appointment_at=None, detail="", address=None
        )


def test_roles_without_aftercare_cannot_change_items(client_as, na_item):
    assert client_as(Role.INTAKE_COORDINATOR).post(f"/aftercare/items/{na_item.pk}/remove/").status_code == 403
    assert client_as(Role.UNIT_MANAGER).get(f"/aftercare/items/{na_item.pk}/").status_code == 403
    assert AftercareItem.objects.filter(pk=na_item.pk).exists()


# ---- Follow-up calls coming up -------------------------------------------------------------------------------


@pytest.fixture
def calls(facility, episode):
    """Calls for three discharged patients: one due today, two later this fortnight on one day, one next month."""
    today = dt.date(2026, 11, 23)
    others = [
        Episode.objects.create(
            facility=facility,
            patient=PatientFactory(facility=facility, family_name=name, phone=phone),
            stage="discharged",
            opened_at=T0,
            discharged_at=T0,
            discharge_type="completed",
        )
        for name, phone in (("Exampleby", "555-0121"), ("Testwood", "555-0122"))
    ]

    def task(ep, day, due):
        return FollowUpTask.objects.create(facility=facility, episode=ep, day=day, due_on=due)

    return {
        "today": today,
        "due": task(others[0], 2, today),
        "soon": [task(others[0], 7, today + dt.timedelta(days=5)), task(others[1], 2, today + dt.timedelta(days=5))],
        "next": task(others[1], 7, today + dt.timedelta(days=10)),
        "far": task(others[0], 30, today + dt.timedelta(days=28)),
        "made": FollowUpTask.objects.create(
            facility=facility, episode=others[1], day=30, due_on=today + dt.timedelta(days=3), outcome="reached"
        ),
    }


def test_the_follow_up_page_lists_the_next_two_weeks_by_day(client_as, calls):
    with time_machine.travel(dt.datetime(2026, 11, 23, 15, tzinfo=dt.UTC), tick=False):
        response = client_as(Role.COUNSELOR).get("/follow-ups/")
    assert [t.pk for t in response.context["tasks"]] == [calls["due"].pk]
    upcoming = [(group.day, [t.pk for t in group.tasks]) for group in response.context["upcoming"]]
    assert upcoming == [
        (dt.date(2026, 11, 28), [t.pk for t in calls["soon"]]),
        (dt.date(2026, 12, 3), [calls["next"].pk]),
    ]
    page = response.content.decode()
    assert "Coming up (next 14 days)" in page
    assert "Sat 28 Nov 2026" in page
    assert "555-0122" in page


def test_a_call_is_recorded_from_the_day_it_is_due(client_as, staff, calls):
    counselor = client_as(Role.COUNSELOR)
    with time_machine.travel(dt.datetime(2026, 11, 23, 15, tzinfo=dt.UTC), tick=False):
        early = counselor.post(f"/follow-ups/{calls['next'].pk}/", {"outcome": "reached"})
        assert early.status_code == 400
        assert "due Thu 03 Dec; record it then" in early.content.decode()
        assert FollowUpTask.objects.get(pk=calls["next"].pk).outcome == FollowUpOutcome.PENDING
        assert counselor.post(f"/follow-ups/{calls['due'].pk}/", {"outcome": "reached"}).status_code == 302
        twice = counselor.post(f"/follow-ups/{calls['due'].pk}/", {"outcome": "relapsed"})
    assert twice.status_code == 400
    assert FollowUpTask.objects.get(pk=calls["due"].pk).outcome == FollowUpOutcome.REACHED


def test_the_follow_up_page_reads_in_a_fixed_number_of_queries(client_as, calls, django_assert_num_queries):
    counselor = client_as(Role.COUNSELOR)
    with time_machine.travel(dt.datetime(2026, 11, 23, 15, tzinfo=dt.UTC), tick=False):
        counselor.get("/follow-ups/")  # the session warmed
        # session and user; the calls due and the calls coming up (one query each, patients joined); the audit
        # event (savepoint, chain head, insert, head update, release); the session's last-seen time (savepoint,
        # update, release). Three more patients' calls would add none.
        with django_assert_num_queries(12):
            counselor.get("/follow-ups/")
