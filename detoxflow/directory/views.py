"""The resource directory: search, CSV import and export."""

from __future__ import annotations

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
from detoxflow.directory.queries import search
from detoxflow.errors import InvalidInput


def directory(request: HttpRequest, import_form: ImportForm | None = None, status: int = 200) -> HttpResponse:
    """Search by kind, service, payer, distance and open now."""
    require(request, Action.VIEW_DIRECTORY)
    form = SearchForm(request.GET or None)
    hits = []
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        try:
            hits = search(
                staff_member(request).facility_id,
                at=timezone.localtime(),
                kind=data.get("kind", ""),
                service=data.get("service", ""),
                payer=data.get("payer", ""),
                near=data.get("near", ""),
                open_now=data.get("open_now", False),
            )
        except PlaceUnknown as unknown:
            form.add_error("near", str(unknown))
            status = 400
    return render(
        request,
        "directory/directory.html",
        {
            "form": form,
            "hits": hits,
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
            text = form.cleaned_data["file"].read().decode("utf-8-sig")
            services.import_resources(
                staff_member(request), text, replace=form.cleaned_data["replace"], address=client_address(request)
            )
        except UnicodeDecodeError:
            form.add_error("file", "The file is not UTF-8 text; save it as CSV UTF-8.")
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
    response["Content-Disposition"] = 'attachment; filename="directory.csv"'
    return response
