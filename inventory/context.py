"""Template context of the inventory app: is demo data loaded (the banner)?"""

from __future__ import annotations

import logging

from django.http import HttpRequest

from inventory.demo import demo_present
from inventory.models import Product, Store

logger = logging.getLogger(__name__)


def demo_context(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    try:
        present = demo_present()
    except Exception:  # noqa: BLE001 - the cache (Redis) is down: every page still renders
        logger.warning("demo banner: the cache does not answer; reading the demo marks from the database")
        present = Product.objects.filter(is_demo=True).exists() or Store.objects.filter(is_demo=True).exists()
    return {"demo_data": present}
