"""Transfer plans made on demo data that no line shows, for `clear_demo`
(fastdso.demo_clear; the scope is inventory.demo's). A plan with lines goes
through them (a demo store or product); a plan with no lines is demo when
its category is one only demo products have, or its eligible stores are
demo stores. A plan from a SKU file that found nothing keeps no trace of
its SKUs: it stays."""

from __future__ import annotations

from inventory.demo import DemoScope
from redistribution.models import TransferPlan


def demo_empty_plans(scope: DemoScope) -> list[int]:
    demo_stores = set(scope.store_ids)
    empty = TransferPlan.objects.filter(lines__isnull=True).values_list("pk", "category", "params")
    return [
        pk
        for pk, category, params in empty
        if (category and category in scope.categories)
        or demo_stores.intersection((params or {}).get("eligible_store_ids") or [])
    ]
