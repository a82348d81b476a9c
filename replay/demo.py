"""Replays made on demo data, for `clear_demo` (fastdso.demo_clear): a replay names
its SKUs as text (no foreign key), so its app says which ones are demo. A
replay that also names a real SKU touched real data: it stays (its results
are one report over all its SKUs and cannot be split)."""

from __future__ import annotations

from inventory.demo import DemoScope
from replay.models import ReplayRun


def demo_replays(scope: DemoScope) -> list[int]:
    """Replays whose SKU list names only demo products (a few rows: read in Python)."""
    if not scope.skus:
        return []
    return [pk for pk, skus in ReplayRun.objects.values_list("pk", "skus") if skus and scope.skus.issuperset(skus)]
