"""/favicon.ico answers with the product's icon, and the API docs load nothing from another host."""

import re

from django.contrib.staticfiles import finders
from django.test import Client

from detoxflow.accounts.permissions import Role

ICO_HEADER = b"\x00\x00\x01\x00"  # reserved 0, type 1 (icon): every .ico file starts so


def test_favicon_is_served_to_anyone_without_a_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content.startswith(ICO_HEADER)
    assert "max-age=" in response["Cache-Control"]


def test_favicon_refuses_writes():
    assert Client().post("/favicon.ico").status_code == 405


def test_the_svg_icon_for_the_link_tag_is_a_static_file():
    found = finders.find("favicon.svg")
    assert found is not None
    with open(found, encoding="utf-8") as icon:
        assert "<svg" in icon.read()


def test_api_docs_reference_no_other_host(client_as):
    """The unit's network may have no internet: Swagger UI must come from DetoxFlow's own static files."""
    response = client_as(Role.NURSE).get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    references = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert references, "the docs page should load Swagger UI's script and stylesheet"
    assert [r for r in references if re.match(r"(?:[a-z]+:)?//", r)] == []
    for ref in references:
        assert ref.startswith("/static/"), ref
        assert finders.find(ref.removeprefix("/static/")) is not None, f"{ref} is not a static file here"
    assert "swagger-ui-bundle.js" in page
