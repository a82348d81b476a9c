"""Every error the API answers has a stable `code`, its `params`, and a
`message` in the request's language (Accept-Language), like Zulip's
JsonableError; `detail` keeps the message too (the answers before codes).

A 404 never names a model ("No DistributionRun matches the given query."):
whatever was not found, the answer is the code `not_found`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from fastdso.messages import Message, render

VALIDATION = "invalid"


def api_error(code: str, message: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body of an API error."""
    return {"code": code, "params": params or {}, "message": message, "detail": message}


def message_error(message: Message) -> dict[str, Any]:
    """The body of an error that is a stored message (a job's refusal)."""
    text = render(message)
    return {"code": message.code, "params": message.as_json()["params"], "message": text, "detail": text}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with codes and without model names."""
    if isinstance(exc, Http404 | exceptions.NotFound):
        exc = exceptions.NotFound(gettext("No encontrado."), code="not_found")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        fields = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        extra = api_error(VALIDATION, gettext("Datos inválidos: revise los campos indicados."))
        response.data = {**fields, **{k: v for k, v in extra.items() if k not in fields}}
        return response
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    detail = response.data.get("detail", exc.detail) if isinstance(response.data, dict) else exc.detail
    response.data = api_error(str(code), str(detail))
    return response
