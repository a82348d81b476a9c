"""Walk the URLconf, so that role and security tests cover every page,
including the ones added after these tests were written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

DUMMY_BY_CONVERTER = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


@dataclass(frozen=True)
class Route:
    route: str  # the pattern text, e.g. "jobs/<int:pk>/"
    name: str | None  # "namespace:name"
    url: str | None  # a concrete URL with dummy arguments; None for regex routes
    has_arguments: bool
    # The REST API (/api/v1/): it answers 401/403 as JSON itself, never a login redirect.
    is_api: bool = False

    @property
    def is_admin(self) -> bool:
        return bool(self.name and self.name.startswith("admin:")) or self.route.startswith("admin/")


def all_routes() -> Iterator[Route]:
    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                name = f"{namespace}{entry.name}" if entry.name else None
                yield Route(
                    route,
                    name,
                    _concrete_url(route),
                    bool(re.search(r"<|\(\?P", route)),
                    is_api=bool(getattr(entry.callback, "checks_roles_itself", False)),
                )

    yield from walk(get_resolver(), "", "")


def _concrete_url(route: str) -> str | None:
    """Fill converters with dummies; None for regex routes (admin internals)."""
    if "^" in route or "(?P" in route or "\\" in route or "$" in route:
        return None
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: DUMMY_BY_CONVERTER.get(m.group(1) or "str", "x"), route)
