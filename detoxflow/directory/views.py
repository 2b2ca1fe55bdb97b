"""The resource directory: search, CSV import and export."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.audit.services import client_address
from detoxflow.directory import services
from detoxflow.directory.csv_format import COLUMNS, write_rows
from detoxflow.directory.forms import ImportForm, SearchForm
from detoxflow.directory.geography import PlaceUnknown
from detoxflow.directory.models import Resource
from detoxflow.directory.queries import PAGE_SIZE, search
from detoxflow.errors import InvalidInput
from detoxflow.web.downloads import content_disposition

# 500,000 rows at PAGE_SIZE a page; a bigger number is read as the last page allowed, not as an error.
MAX_PAGE = 10_000


def _page_number(raw: str | None) -> int:
    """?page=N from 1 to MAX_PAGE; anything else (missing, not a number, 0) is page 1."""
    if raw is None or not (raw.isascii() and raw.isdigit()):
        return 1
    return min(max(int(raw), 1), MAX_PAGE) if len(raw) <= 18 else MAX_PAGE  # int() of 5,000 digits raises


def _page_link(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return f"{request.path}?{query.urlencode()}"


def directory(request: HttpRequest, import_form: ImportForm | None = None, status: int = 200) -> HttpResponse:
    """Search by kind, service, payer, distance and open now, PAGE_SIZE resources a page (?page=N)."""
    require(request, Action.VIEW_DIRECTORY)
    filters = request.GET.copy()
    filters.pop("page", None)
    form = SearchForm(filters or None)
    page = _page_number(request.GET.get("page"))
    hits = []
    if form.is_valid() or not filters:
        data = form.cleaned_data if filters else {}
        try:
            hits = search(
                staff_member(request).facility_id,
                at=timezone.localtime(),
                kind=data.get("kind", ""),
                service=data.get("service", ""),
                payer=data.get("payer", ""),
                near=data.get("near", ""),
                open_now=data.get("open_now", False),
                offset=(page - 1) * PAGE_SIZE,
                limit=PAGE_SIZE + 1,  # one more than shown tells whether a next page exists, without counting
            )
        except PlaceUnknown as unknown:
            form.add_error("near", str(unknown))
            status = 400
    return render(
        request,
        "directory/directory.html",
        {
            "form": form,
            "hits": hits[:PAGE_SIZE],
            "page": page,
            "next_page": _page_link(request, page + 1) if len(hits) > PAGE_SIZE and page < MAX_PAGE else None,
            "previous_page": _page_link(request, page - 1) if page > 1 else None,
            "import_form": import_form or ImportForm(),
            "columns": ", ".join(COLUMNS),
        },
        status=status,
    )


@require_POST
def import_csv(request: HttpRequest) -> HttpResponse:
    """Import a CSV; one bad row and nothing is written, with every problem listed by line and field."""
    require(request, Action.MANAGE_DIRECTORY)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            # One byte past the limit is enough for the service to refuse an oversized file.
            data = form.cleaned_data["file"].read(settings.DIRECTORY_IMPORT_MAX_BYTES + 1)
            services.import_resources(
                staff_member(request), data, replace=form.cleaned_data["replace"], address=client_address(request)
            )
        except InvalidInput as error:
            form.add_error("file", error.message)
        else:
            return redirect("directory")
    return directory(request, form, 400)


def export_csv(request: HttpRequest) -> HttpResponse:
    """The facility's directory in the import format."""
    require(request, Action.VIEW_DIRECTORY)
    resources = list(Resource.objects.restrict(staff_member(request), Action.VIEW_DIRECTORY))
    response = HttpResponse(write_rows(resources), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition("directory.csv")
    return response
