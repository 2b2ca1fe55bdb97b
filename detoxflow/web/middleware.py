"""Sign-in required for every page (the API answers 401 JSON instead), and the patient-tablet lock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse


class LoginRequiredEverywhere(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, except for the JSON API, whose own auth answers 401."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class TabletLock:
    """While a tablet is handed to a patient, the session can reach only the self-report and unlock pages.

    Set by the self-report page; cleared only by the nurse's password on the locked page, so a
    patient can never browse other records from the tablet.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        lock = request.session.get("tablet") if hasattr(request, "session") else None
        if lock is not None:
            self_report = reverse("self-report", args=[lock["episode"]])
            locked_page = reverse("tablet-locked")
            allowed = {locked_page} if lock["state"] == "locked" else {self_report, locked_page}
            if request.path_info not in allowed and not request.path_info.startswith(
                "/" + settings.STATIC_URL.lstrip("/")
            ):
                return redirect(locked_page if lock["state"] == "locked" else self_report)
        return self.get_response(request)
