"""Retention of stock snapshots (SPEC v3 §11b, issue 31): a store's current
stock is its own latest snapshot date and the CD's is its latest date, so
older snapshots only grow the tables (≈ 0.9 GB a date at 500 stores ×
100,000 SKUs). `stock_prune` removes the dates before a cut and never a
place's latest date, whatever the cut."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from fastdso.audit import audit_record
from fastdso.db import chunks, imports_lock
from fastdso.messages import msg
from inventory.models import CDStockSnapshot, StoreStockSnapshot


@dataclass(frozen=True)
class StockPruneResult:
    cut: dt.date  # snapshots dated before it went, except each place's latest
    store_rows: int
    cd_rows: int


def stock_prune(before: dt.date, *, user: Any = None) -> StockPruneResult:
    """Delete the store and CD snapshots dated before `before`, keeping each
    store's latest date and the CD's latest date (the current stock), in one
    transaction under the imports' lock, audited."""
    with transaction.atomic():
        imports_lock()
        # One grouped read (a row per store), then one DELETE per distinct cut:
        # a store's cut is the earlier of `before` and its own latest date.
        latest = StoreStockSnapshot.objects.order_by().values("store").annotate(latest=Max("snapshot_date"))
        stores_by_cut: dict[dt.date, list[int]] = defaultdict(list)
        for row in latest:
            stores_by_cut[min(before, row["latest"])].append(row["store"])
        store_rows = 0
        for cut, store_ids in stores_by_cut.items():
            for chunk in chunks(store_ids, 1000):
                deleted, _per_model = StoreStockSnapshot.objects.filter(
                    store_id__in=chunk, snapshot_date__lt=cut
                ).delete()
                store_rows += deleted
        cd_latest = CDStockSnapshot.objects.aggregate(latest=Max("snapshot_date"))["latest"]
        cd_rows = 0
        if cd_latest is not None:
            cd_rows, _per_model = CDStockSnapshot.objects.filter(snapshot_date__lt=min(before, cd_latest)).delete()
        result = StockPruneResult(cut=before, store_rows=store_rows, cd_rows=cd_rows)
        audit_record(
            user=user,
            action="prune_stock",
            object_repr=msg("inventory.audit_stock_pruned", before=before),
            details={"before": before.isoformat(), "store_rows": store_rows, "cd_rows": cd_rows},
        )
    return result  # each store keeps its latest date: its stock_date is unchanged
