"""Request-wide rules: viewers read and never change (one place enforces it
for every POST), security headers, hostile parameters, and the 503 pages of
a busy database or a job service that is down."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from fastdso.jobs import job_service_down
from fastdso.roles import can_plan

logger = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class ReadOnlyForViewersMiddleware:
    """Answers 403 to any data-changing request from a user without the
    planner permission. Logging in/out, switching language and the admin
    (which checks its own model permissions) are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        changes_data = request.method not in SAFE_METHODS and request.user.is_authenticated
        if changes_data and not can_plan(request.user) and not self._always_allowed(request):
            raise PermissionDenied
        return self.get_response(request)

    @staticmethod
    def _always_allowed(request: HttpRequest) -> bool:
        allowed = (reverse("login"), reverse("logout"), reverse("set_language"), reverse("admin:index"))
        if any(request.path.startswith(prefix) for prefix in allowed):
            return True
        # Views that answer the same role check themselves (the REST API: JSON 403, token users).
        try:
            return bool(getattr(resolve(request.path_info).func, "checks_roles_itself", False))
        except Resolver404:
            return False


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
    browser still gets the Spanish UI by default (SPEC §12). The API honours
    it (issue 30): an integrator asks for its messages' language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
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


BUSY_RETRY_SECONDS = 120


def database_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked": a long job held the single write lock
    past the busy timeout. Not a bug of the page: the same request works later."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


class DatabaseBusyMiddleware:
    """A write that waited the whole busy timeout behind a long job (SQLite has
    one writer) gets a 503 that says so, in the app's layout (JSON under
    /api/), instead of a 500. Nothing was saved: the request's transaction
    failed as a whole."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_busy(exception):
            return None
        message = _("La base de datos está ocupada con una carga; intente de nuevo en unos minutos. No se guardó nada.")
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            response = render(request, "503.html", {"message": message}, status=503)
        response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response


JOB_SERVICE_RETRY_SECONDS = 60


class JobServiceDownMiddleware:
    """While Redis is down (the job broker and the cache with REDIS_URL), a
    request that needs it — starting a job, a page kept in the cache — gets a
    503 that says the job service is down, in the app's layout (JSON under
    /api/), instead of a 500. A job the broker refused was failed, never left
    queued (fastdso.jobs._enqueue_or_fail)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not job_service_down(exception):
            return None
        logger.error("job service down: %s %s answered 503 (%s)", request.method, request.path, exception)
        message = _(
            "El servicio de tareas no está disponible en este momento: no se inició ninguna tarea y no se "
            "guardó nada. Las páginas que solo leen datos siguen funcionando; intente de nuevo en unos minutos."
        )
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            context = {"message": message, "title": _("Servicio de tareas no disponible")}
            response = render(request, "503.html", context, status=503)
        response.headers["Retry-After"] = str(JOB_SERVICE_RETRY_SECONDS)
        return response
