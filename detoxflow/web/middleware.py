"""Sign-in required for every page (the API answers 401 JSON instead), the patient-tablet lock, and input refused
at the door (NUL characters, JSON nested too deep)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from detoxflow.accounts.permissions import Role

# A request id a proxy in front may already have given (kept if it is short and plain), else a new one.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestId:
    """Every request gets an id, returned in X-Request-ID and shown on error pages, so a nurse can quote it and
    the logs of the proxy, the application and the database can be matched. It names no patient or user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


def request_id_of(request: HttpRequest) -> str:
    return str(getattr(request, "request_id", ""))


class LoginRequiredEverywhere(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, except for the JSON and FHIR APIs, whose own auth answers 401."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith(("/api/", "/fhir/")):
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
            if (
                request.path_info not in allowed
                and request.path_info != "/favicon.ico"
                and not request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/"))
            ):
                return redirect(locked_page if lock["state"] == "locked" else self_report)
        return self.get_response(request)


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


class SecurityHeaders:
    """A Content-Security-Policy with no inline scripts or styles on every page.

    The OpenAPI browser (/api/docs) is Swagger UI from django-ninja's own static files (nothing from another
    host); its bundle was not checked under this policy, so it keeps the browser's default; it shows no patient
    data and needs a signed-in user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not request.path_info.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class IdleLogout:
    """Sign a user out after SESSION_IDLE_MINUTES without a request, so an unattended screen locks itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen", now)
            if now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                if request.path_info.startswith(("/api/", "/fhir/")):
                    # Signed out, the request goes on: the API's own auth answers 401 in its format.
                    return self.get_response(request)
                messages.info(request, f"Signed out after {settings.SESSION_IDLE_MINUTES} minutes without activity.")
                return redirect_to_login(request.get_full_path())
            request.session["last_seen"] = now
        return self.get_response(request)


class SecondFactorRequired:
    """With REQUIRE_TOTP on, a clinical user without two-step sign-in can only set it up (or sign out)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_TOTP
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and getattr(user, "role", "") != Role.ADMINISTRATOR
            and request.path_info not in (reverse("two-factor"), reverse("logout"))
            and not request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/"))
        ):
            return redirect("two-factor")
        return self.get_response(request)


def refuse_at_the_door(request: HttpRequest, field: str, message: str) -> HttpResponse:
    """A 400 naming the field, in the shape of the route: an OperationOutcome, API JSON, or plain text."""
    if request.path.startswith("/fhir"):
        from detoxflow.interop.fhir.common import operation_outcome  # noqa: PLC0415  (FHIR models load on use)

        return operation_outcome(400, "invalid", message, field)
    if request.path.startswith("/api/"):
        return JsonResponse({"field": field, "message": message}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class RefuseNulCharacters:
    """Refuse input holding a NUL character (U+0000) with a 400 naming the field, on every route.

    PostgreSQL text cannot store NUL, so such a value would otherwise fail deep inside a write or even a
    search, as a server error; SQLite would store it silently. No clinical value contains one.
    """

    MESSAGE = "contains a NUL character (U+0000), which no record can hold."

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        field = self._field_with_nul(request)
        if field is None:
            return self.get_response(request)
        return refuse_at_the_door(request, field, f"{field} {self.MESSAGE}")

    @staticmethod
    def _field_with_nul(request: HttpRequest) -> str | None:
        if "\x00" in request.path:
            return "path"
        parameters = list(request.GET.lists())
        if request.content_type == "multipart/form-data":
            parameters += list(request.POST.lists())  # the body may be a large upload: read it field by field
        elif request.method in ("POST", "PUT", "PATCH", "DELETE"):
            try:
                body = request.body
            except RequestDataTooBig:
                return None  # Django refuses it with its own 400 when the view reads it
            if b"\x00" in body or b"\\u0000" in body.lower():
                return "body"
        for name, values in parameters:
            if "\x00" in name or any("\x00" in v for v in values):
                return name.replace("\x00", "") or "parameter"
        return None


# A JSON string, closing quote optional so an unterminated one also ends the scan; possessive quantifiers (no
# backtracking) keep the scan linear whatever the body holds.
_JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_A_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
_DEPTH_STEP = tuple(1 if byte in b"[{" else -1 for byte in range(256))


def json_nesting_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text, found without parsing it (and without recursion).

    Strings are removed first, so brackets inside them do not count; what is left is reduced to its brackets
    and their running depth summed in C (re, bytes.translate, itertools.accumulate), not byte by byte in Python.
    """
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_A_BRACKET)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


class RefuseDeepJson:
    """Refuse a JSON body nested deeper than JSON_MAX_DEPTH with a 400 naming the body, before anything parses it.

    Python's json module and pydantic recurse once per level, so a 100,000-deep FHIR Bundle ended in a
    RecursionError (a 500) inside the import. Checked for every /api and /fhir body (the API parses a body
    whatever its content type) and for any body sent as JSON elsewhere.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit = settings.JSON_MAX_DEPTH
        body = self._json_body(request)
        # Cheap first: a body with no more brackets than the limit cannot nest deeper than it.
        if body is not None and body.count(b"[") + body.count(b"{") > limit:
            depth = json_nesting_depth(body)
            if depth > limit:
                message = f"body is nested {depth} levels deep; at most {limit} levels are accepted."
                return refuse_at_the_door(request, "body", message)
        return self.get_response(request)

    @staticmethod
    def _json_body(request: HttpRequest) -> bytes | None:
        if request.method not in ("POST", "PUT", "PATCH", "DELETE") or request.content_type == "multipart/form-data":
            return None
        content_type = request.content_type or ""
        is_json = content_type == "application/json" or content_type.endswith("+json")
        if not (is_json or request.path.startswith(("/api/", "/fhir"))):
            return None
        try:
            return request.body
        except RequestDataTooBig:
            return None  # Django refuses it with its own 400 when the view reads it


class PasswordChangeRequired:
    """After an administrator resets a password, the user sets their own before doing anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and request.path_info not in (reverse("password-change"), reverse("logout"))
            and not request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/"))
        ):
            if request.path_info.startswith(("/api/", "/fhir/")):
                return JsonResponse(
                    {"field": None, "message": "Set a new password first (sign in on the web)."}, status=403
                )
            return redirect("password-change")
        return self.get_response(request)
