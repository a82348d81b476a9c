"""Template context of the inventory app: is demo data loaded (the banner)?"""

from __future__ import annotations

from django.http import HttpRequest

from inventory.demo import demo_present


def demo_context(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"demo_data": demo_present()}
