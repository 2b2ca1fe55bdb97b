"""Directory import (all or nothing), export round trip, and search."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from detoxflow.accounts.permissions import Role
from detoxflow.directory import services
from detoxflow.directory.csv_format import write_rows
from detoxflow.directory.models import Resource
from detoxflow.directory.queries import search

HEADER = "kind,name,address,postcode,latitude,longitude,phone,hours,services,payment,languages,last_checked\n"
ROWS = [
    "otp,Synthetic OTP North,1 Example Rd,ZZ101,40.00,-75.00,555-0111,mon-fri 06:00-14:00,methadone|counseling,"
    "medicaid|private,english|spanish,2026-11-01\n",
    "support_group,Synthetic NA Night Group,2 Sample St,ZZ102,40.05,-75.00,555-0112,fri 22:00-02:00,na meeting,"
    "free,english,2026-11-01\n",
    "buprenorphine_prescriber,Synthetic Clinic Far,9 Distant Ave,ZZ109,40.50,-75.00,555-0113,24/7,"
    "buprenorphine,medicaid,english,\n",
]


@pytest.fixture
def counselor(staff):
    return staff[Role.COUNSELOR]


def test_a_bad_row_in_the_middle_writes_nothing_and_names_line_and_field(counselor):
    bad = "otp,Bad Hours Place,3 Road,ZZ103,40,-75,555-0114,mon-fri 8-17,methadone,free,english,\n"
    with pytest.raises(services.ImportRefused) as refused:
        services.import_resources(counselor, HEADER + ROWS[0] + bad + ROWS[1], replace=False, address=None)
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
        services.import_resources(counselor, HEADER + row, replace=False, address=None)
    assert refused.value.errors[0].field == field


def test_export_imports_back_to_the_same_directory(counselor):
    services.import_resources(counselor, HEADER + "".join(ROWS), replace=False, address=None)
    exported = write_rows(list(Resource.objects.order_by("pk")))
    services.import_resources(counselor, exported, replace=True, address=None)
    assert write_rows(list(Resource.objects.order_by("pk"))) == exported
    assert Resource.objects.count() == 3


def test_search_sorts_by_distance_and_filters(counselor):
    services.import_resources(counselor, HEADER + "".join(ROWS), replace=False, address=None)
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
    assert [(r["name"], r["distance_km"]) for r in api] == [("Synthetic OTP North", 5.56)]
    assert "Synthetic OTP North" in client.get("/directory/export.csv").content.decode()
