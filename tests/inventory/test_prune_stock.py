"""`prune_stock`: old stock snapshots go, the current stock never does (issue 31)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from fastdso.labels import key_label
from fastdso.messages import render
from fastdso.models import AuditEvent
from inventory.models import CDStockSnapshot, StoreStockSnapshot
from tests import factories

D1, D2, D3 = dt.date(2026, 1, 5), dt.date(2026, 2, 2), dt.date(2026, 3, 2)


@pytest.fixture
def snapshots(db):
    """Store A counted on D1, D2 and D3; store B only on D1 (its current stock); the CD on D1 and D3."""
    a, b = factories.store("Tienda A"), factories.store("Tienda B")
    sku = factories.product("0001")
    for day, units in ((D1, 5), (D2, 6), (D3, 7)):
        factories.store_stock([(a, sku, units)], day=day)
    factories.store_stock([(b, sku, 9)], day=D1)
    factories.cd_stock([(sku, 40)], day=D1)
    factories.cd_stock([(sku, 30)], day=D3)
    return a, b, sku


def _dates(store) -> list[dt.date]:
    return sorted(StoreStockSnapshot.objects.filter(store=store).values_list("snapshot_date", flat=True))


def test_prune_keeps_every_store_s_latest_date_and_the_cd_s(snapshots):
    a, b, sku = snapshots
    out = io.StringIO()

    call_command("prune_stock", "--before", D3.isoformat(), stdout=out)

    assert _dates(a) == [D3]  # D1 and D2 went
    assert _dates(b) == [D1]  # older than the cut, but B's current stock
    assert sorted(CDStockSnapshot.objects.values_list("snapshot_date", flat=True)) == [D3]
    assert "2 filas de tiendas y 1 del CD" in out.getvalue()
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.stock_date, b.stock_date) == (D3, D1)  # each store's current stock date is unchanged
    event = AuditEvent.objects.get(action="prune_stock")
    assert event.details == {"before": "2026-03-02", "store_rows": 2, "cd_rows": 1}
    with translation.override("en"):
        assert render(event.object_label) == "Stock snapshots before 2026-03-02"
        assert sorted(key_label(k) for k in event.details) == ["Before", "DC rows", "Store rows"]


def test_a_cut_after_every_date_still_keeps_the_current_stock(snapshots):
    a, b, _sku = snapshots
    call_command("prune_stock", "--before", "2026-12-01", stdout=io.StringIO())
    assert _dates(a) == [D3] and _dates(b) == [D1]
    assert CDStockSnapshot.objects.count() == 1


def test_keep_days_is_bounded(db):
    with pytest.raises(CommandError, match="--keep-days"):
        call_command("prune_stock", "--keep-days", "0", stdout=io.StringIO())
    assert not AuditEvent.objects.filter(action="prune_stock").exists()
