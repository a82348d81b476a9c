"""The OpenAPI schema documents every answer the API can give: besides each
operation's own, 401 (no or bad token), 403 (role), 429 (throttled), 404 for
paths with an id and 400 for bad input."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse

from api.serializers import ErrorSerializer

VALIDATION_ERROR = OpenApiResponse(
    response={
        "type": "object",
        "description": "Each refused field (or non_field_errors, or detail) with its messages.",
        "additionalProperties": {},
    },
    description="Bad parameters: the field is named.",
)
ERROR = OpenApiResponse(response=ErrorSerializer, description="")


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        bodies = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return bodies
        extra: dict[str, OpenApiResponse] = {
            "401": OpenApiResponse(ErrorSerializer, "Not authenticated, or the token is invalid or revoked."),
            "403": OpenApiResponse(ErrorSerializer, "The user's role does not allow it (viewers only read)."),
            "429": OpenApiResponse(ErrorSerializer, "Too many requests for this token: retry later."),
        }
        if "{" in self.path:
            extra["404"] = OpenApiResponse(ErrorSerializer, "No such object (or page).")
        if self.method != "GET" or self._is_list_view():
            extra["400"] = VALIDATION_ERROR
        if self._is_list_view():
            extra["404"] = OpenApiResponse(ErrorSerializer, "No such object (or page).")
        for code, response in extra.items():
            if code not in bodies:
                bodies[code] = self._get_response_for_code(response, code, direction=direction)
        return bodies
