"""Viewers read; they never change. One place enforces it for every POST."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from fastdso.roles import can_plan

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class ReadOnlyForViewersMiddleware:
    """Answers 403 to any data-changing request from a user without the
    planner permission. Logging in/out, switching language and the admin
    (which checks its own model permissions) are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        changes_data = request.method not in SAFE_METHODS and request.user.is_authenticated
        if changes_data and not can_plan(request.user) and not self._always_allowed(request.path):
            raise PermissionDenied
        return self.get_response(request)

    @staticmethod
    def _always_allowed(path: str) -> bool:
        allowed = (reverse("login"), reverse("logout"), reverse("set_language"), reverse("admin:index"))
        return any(path.startswith(prefix) for prefix in allowed)


class SecurityHeadersMiddleware:
    """Content-Security-Policy for every page: scripts only from our own
    static files (no inline script, no CDN); inline style attributes are
    allowed because Bootstrap components set them."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        return response


class SpanishByDefaultMiddleware:
    """The UI is Spanish unless the user picks English (language cookie):
    the browser's Accept-Language is ignored, so a planner on an English
    browser still gets the Spanish UI by default (SPEC §12)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class HostileParametersMiddleware:
    """400 for a NUL character in the path or a query parameter (name or
    value): no page needs one, and PostgreSQL refuses them, which would end
    in a 500 wherever a parameter reaches a query. Form fields refuse NUL on
    their own (Django's CharField validator)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(_("La dirección tiene caracteres no válidos."), content_type="text/plain")
        return self.get_response(request)
