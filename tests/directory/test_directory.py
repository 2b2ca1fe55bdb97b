"""Directory import (all or nothing, within size and row limits), export round trip, and paged search."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from detoxflow.accounts.permissions import Role
from detoxflow.directory import services
from detoxflow.directory.csv_format import write_rows
from detoxflow.directory.models import Resource
from detoxflow.directory.queries import PAGE_SIZE, search
from tests.factories import ResourceFactory

HEADER = "kind,name,address,postcode,latitude,longitude,phone,hours,services,payment,languages,last_checked\n"
ROWS = [
    "otp,Synthetic OTP North,1 Example Rd,ZZ101,40.00,-75.00,555-0111,mon-fri 06:00-14:00,methadone|counseling,"
    "medicaid|private,english|spanish,2026-11-01\n",
    "support_group,Synthetic NA Night Group,2 Sample St,ZZ102,40.05,-75.00,555-0112,fri 22:00-02:00,na meeting,"
    "free,english,2026-11-01\n",
    "buprenorphine_prescriber,Synthetic Clinic Far,9 Distant Ave,ZZ109,40.50,-75.00,555-0113,24/7,"
    "buprenorphine,medicaid,english,\n",
]


def csv(*rows: str) -> bytes:
    return (HEADER + "".join(rows)).encode()


@pytest.fixture
def counselor(staff):
    return staff[Role.COUNSELOR]


def test_a_bad_row_in_the_middle_writes_nothing_and_names_line_and_field(counselor):
    bad = "otp,Bad Hours Place,3 Road,ZZ103,40,-75,555-0114,mon-fri 8-17,methadone,free,english,\n"
    with pytest.raises(services.ImportRefused) as refused:
        services.import_resources(counselor, csv(ROWS[0], bad, ROWS[1]), replace=False, address=None)
    assert [(e.line, e.field) for e in refused.value.errors] == [(3, "hours")]
    assert "line 3, hours:" in refused.value.message
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("clinic,X,,,,,555-0100,,,,,\n", "kind"),
        ("otp,,,,,,555-0100,,,,,\n", "name"),
        ("otp,X,,,95,-75,555-0100,,,,,\n", "latitude"),
        ("otp,X,,,40,,555-0100,,,,,\n", "longitude"),
        ("otp,X,,,,,,,,,,\n", "phone"),
        ("otp,X,,,,,555-0100,,,,,2026-13-01\n", "last_checked"),
    ],
    ids=["unknown-kind", "no-name", "latitude-range", "half-coordinates", "no-phone", "bad-date"],
)
def test_each_field_is_checked(counselor, row, field):
    with pytest.raises(services.ImportRefused) as refused:
        services.import_resources(counselor, csv(row), replace=False, address=None)
    assert refused.value.errors[0].field == field


def test_export_imports_back_to_the_same_directory(counselor):
    services.import_resources(counselor, csv(*ROWS), replace=False, address=None)
    exported = write_rows(list(Resource.objects.order_by("pk")))
    services.import_resources(counselor, exported.encode(), replace=True, address=None)
    assert write_rows(list(Resource.objects.order_by("pk"))) == exported
    assert Resource.objects.count() == 3


def test_search_sorts_by_distance_and_filters(counselor):
    services.import_resources(counselor, csv(*ROWS), replace=False, address=None)
    friday_11pm = dt.datetime(2026, 11, 20, 23, 0, tzinfo=ZoneInfo("America/New_York"))
    names = [h.resource.name for h in search(counselor.facility_id, at=friday_11pm, near="ZZ109")]
    assert names == ["Synthetic Clinic Far", "Synthetic NA Night Group", "Synthetic OTP North"]
    assert [h.resource.name for h in search(counselor.facility_id, at=friday_11pm, payer="medicaid")] == [
        "Synthetic Clinic Far",
        "Synthetic OTP North",
    ]
    assert [h.resource.name for h in search(counselor.facility_id, at=friday_11pm, open_now=True)] == [
        "Synthetic Clinic Far",
        "Synthetic NA Night Group",
    ]
    assert [h.resource.name for h in search(counselor.facility_id, at=friday_11pm, service="methadone")] == [
        "Synthetic OTP North"
    ]


def test_page_imports_searches_and_names_an_unknown_place(client_as):
    client = client_as(Role.COUNSELOR)
    upload = SimpleUploadedFile("d.csv", (HEADER + "".join(ROWS)).encode(), content_type="text/csv")
    assert client.post("/directory/import/", {"file": upload})["Location"] == "/directory/"
    page = client.get("/directory/?near=ZZ101").content.decode()
    assert page.index("Synthetic OTP North") < page.index("Synthetic Clinic Far")
    response = client.get("/directory/?near=nowhere")
    assert response.status_code == 400
    assert "not in this facility's list" in response.context["form"].errors["near"][0]
    api = client.get("/api/directory?kind=otp&near=ZZ102").json()
    assert [(r["name"], r["distance_km"]) for r in api["items"]] == [("Synthetic OTP North", 5.56)]
    assert "Synthetic OTP North" in client.get("/directory/export.csv").content.decode()


# Bounded inputs (issue 13): import limits, and a directory read a page at a time.


@override_settings(DIRECTORY_IMPORT_MAX_BYTES=300)
def test_a_file_over_the_byte_limit_is_refused_naming_the_limit_and_nothing_is_written(client_as, counselor):
    kept = ResourceFactory(facility=counselor.facility, name="Already listed")
    data = csv(*ROWS)
    assert len(data) > 300
    with pytest.raises(services.ImportRefused) as refused:
        services.import_resources(counselor, data, replace=True, address=None)
    assert "300 bytes (DIRECTORY_IMPORT_MAX_BYTES)" in refused.value.message
    upload = SimpleUploadedFile("d.csv", data, content_type="text/csv")
    response = client_as(Role.COUNSELOR).post("/directory/import/", {"file": upload, "replace": "on"})
    assert response.status_code == 400
    assert "300 bytes (DIRECTORY_IMPORT_MAX_BYTES)" in response.context["import_form"].errors["file"][0]
    assert list(Resource.objects.all()) == [kept]  # "replace" removed nothing


@override_settings(DIRECTORY_IMPORT_MAX_ROWS=2)
def test_a_file_over_the_row_limit_is_refused_naming_the_limit_and_nothing_is_written(client_as, counselor):
    kept = ResourceFactory(facility=counselor.facility, name="Already listed")
    with pytest.raises(services.ImportRefused) as refused:
        services.import_resources(counselor, csv(*ROWS), replace=True, address=None)
    assert [(e.line, e.field) for e in refused.value.errors] == [(4, "file")]
    assert "more than 2 rows (DIRECTORY_IMPORT_MAX_ROWS)" in refused.value.message
    upload = SimpleUploadedFile("d.csv", csv(*ROWS), content_type="text/csv")
    response = client_as(Role.COUNSELOR).post("/directory/import/", {"file": upload, "replace": "on"})
    assert response.status_code == 400
    assert "more than 2 rows (DIRECTORY_IMPORT_MAX_ROWS)" in response.context["import_form"].errors["file"][0]
    assert list(Resource.objects.all()) == [kept]
    assert services.import_resources(counselor, csv(*ROWS[:2]), replace=False, address=None) == 2  # at the limit


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (csv("otp," + "N" * 201 + ",,,,,555-0100,,,,,\n"), "name", "longer than the 200 characters"),
        (b"\xff\xfe not utf-8", "file", "not UTF-8"),
        (csv('otp,"' + "x" * 200_000 + '",,,,,555-0100,,,,,\n'), "file", "not readable as CSV"),
    ],
    ids=["overlong-name", "not-utf-8", "field-past-the-csv-limit"],
)
def test_a_value_the_database_could_not_hold_is_refused_by_name_not_a_server_error(counselor, data, field, message):
    with override_settings(DIRECTORY_IMPORT_MAX_BYTES=1_000_000), pytest.raises(services.ImportRefused) as refused:
        services.import_resources(counselor, data, replace=False, address=None)
    assert refused.value.errors[0].field == field
    assert message in refused.value.message
    assert not Resource.objects.exists()


@pytest.fixture
def long_directory(facility):
    """120 resources, named in order; every third one closed on Friday nights, every fourth one takes Medicare."""
    return [
        ResourceFactory(
            facility=facility,
            name=f"Synthetic Resource {n:03d}",
            latitude=40 + n / 1000,
            longitude=-75.0,
            postcode="ZZ100",
            hours_text="mon-fri 09:00-17:00" if n % 3 == 0 else "24/7",
            payment=["medicare", "medicaid"] if n % 4 == 0 else ["private"],
        )
        for n in range(120)
    ]


def rows_on(page):
    return [tr for tr in page.split("<tr>")[2:] if 'data-label="Name"' in tr]


def test_the_directory_page_shows_fifty_resources_a_page_with_next_and_previous(client_as, long_directory):
    client = client_as(Role.NURSE)
    first = client.get("/directory/").content.decode()
    assert len(rows_on(first)) == PAGE_SIZE == 50
    assert "Synthetic Resource 000" in first
    assert "Synthetic Resource 050" not in first
    assert 'href="/directory/?page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    second = client.get("/directory/?page=2").content.decode()
    assert "Synthetic Resource 050" in second
    assert "Synthetic Resource 099" in second
    assert 'href="/directory/?page=1" rel="prev"' in second
    third = client.get("/directory/?page=3").content.decode()
    assert len(rows_on(third)) == 20
    assert 'rel="next"' not in third
    filtered = client.get("/directory/?payer=medicare&page=1").content.decode()
    assert len(rows_on(filtered)) == 30
    assert 'rel="next"' not in filtered
    assert "?payer=private&amp;page=2" in client.get("/directory/?payer=private").content.decode()  # filters kept
    beyond = client.get("/directory/?page=99999999999999999999")
    assert (beyond.status_code, beyond.context["page"]) == (200, 10_000)
    assert "Synthetic Resource 000" in client.get("/directory/?page=first").content.decode()


def test_the_directory_api_pages_with_bounded_limit_and_next_links(client_as, long_directory):
    client = client_as(Role.NURSE)
    default = client.get("/api/directory").json()
    assert len(default["items"]) == 100
    assert default["previous"] is None
    assert default["next"] == "http://testserver/api/directory?offset=100&limit=100"
    first = client.get("/api/directory", {"kind": "outpatient", "limit": 50}).json()
    assert [r["name"] for r in first["items"]][:2] == ["Synthetic Resource 000", "Synthetic Resource 001"]
    second = client.get(first["next"]).json()
    assert [r["name"] for r in second["items"]][0] == "Synthetic Resource 050"
    assert second["previous"] == "http://testserver/api/directory?kind=outpatient&limit=50&offset=0"
    last = client.get(second["next"]).json()
    assert (len(last["items"]), last["next"]) == (20, None)
    too_many = client.get("/api/directory", {"limit": 501})
    assert (too_many.status_code, too_many.json()["field"]) == (422, "limit")


@pytest.mark.parametrize(
    "filters",
    [{}, {"open_now": True}, {"payer": "medicare"}, {"near": "ZZ100"}, {"near": "40.06, -75", "open_now": True}],
    ids=["by-name", "open-now", "payer", "near-postcode", "near-and-open"],
)
def test_pages_read_one_after_another_give_the_whole_result_in_order(facility, long_directory, filters):
    friday_11pm = dt.datetime(2026, 11, 20, 23, 0, tzinfo=ZoneInfo("America/New_York"))
    everything = [h.resource.name for h in search(facility.pk, at=friday_11pm, limit=1000, **filters)]
    paged = [
        h.resource.name
        for offset in range(0, 120, 7)
        for h in search(facility.pk, at=friday_11pm, offset=offset, limit=7, **filters)
    ]
    assert paged == everything
    if "near" in filters:
        distances = [h.distance_km for h in search(facility.pk, at=friday_11pm, limit=1000, **filters)]
        assert distances == sorted(distances)
    if filters.get("open_now"):
        assert len(everything) == 80  # the 40 weekday-only resources are closed on Friday night


def test_a_page_is_one_query_and_a_postcode_search_two(facility, long_directory, django_assert_num_queries):
    friday_11pm = dt.datetime(2026, 11, 20, 23, 0, tzinfo=ZoneInfo("America/New_York"))
    with django_assert_num_queries(1):
        search(facility.pk, at=friday_11pm, offset=50)
    with django_assert_num_queries(1):
        search(facility.pk, at=friday_11pm, open_now=True, payer="medicare", offset=10)
    with django_assert_num_queries(2):  # the postcode's centre, then the page
        search(facility.pk, at=friday_11pm, near="ZZ100", offset=50)
