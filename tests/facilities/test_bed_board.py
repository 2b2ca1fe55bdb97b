"""The bed board offers "Book" on each free bed, to those who may book, leading to the booking with that bed."""

import re

from django.utils import timezone

from detoxflow.accounts.permissions import Role
from detoxflow.episodes import services as episode_services
from detoxflow.facilities.models import Housekeeping


def _book_links(page: str) -> list[str]:
    return re.findall(r'href="/admissions/book/\?bed=(\d+)"', page)


def test_free_beds_have_a_book_action_that_chooses_the_bed(client_as, staff, beds, patient):
    physician = staff[Role.PHYSICIAN]
    episode = episode_services.open_episode(physician, patient, reason="x", now=timezone.now(), address=None)
    episode_services.assign_bed(staff[Role.INTAKE_COORDINATOR], episode, beds[0], address=None)
    beds[1].housekeeping = Housekeeping.CLEANING
    beds[1].save()
    coordinator = client_as(Role.INTAKE_COORDINATOR)
    page = coordinator.get("/beds/").content.decode()
    assert _book_links(page) == [str(beds[2].pk), str(beds[3].pk)]
    assert f'aria-label="Book {beds[2].unit.name} {beds[2].label}"' in page
    form = coordinator.get(f"/admissions/book/?bed={beds[2].pk}").context["form"]
    assert form["bed"].value() == beds[2].pk


def test_every_row_has_the_same_cells(client_as, beds):
    page = client_as(Role.INTAKE_COORDINATOR).get("/beds/").content.decode()
    rows = re.findall(r"<tr class=\"bed-.*?</tr>", page, flags=re.S)
    assert len(rows) == len(beds)
    assert {len(re.findall(r"<td ", row)) for row in rows} == {len(re.findall(r"<th scope=\"col\"", page))}


def test_a_nurse_who_cannot_book_sees_no_book_action(client_as, beds):
    assert _book_links(client_as(Role.NURSE).get("/beds/").content.decode()) == []
