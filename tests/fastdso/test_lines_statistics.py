"""A large write of lines leaves the planner fresh statistics (PostgreSQL).

Without them, right after a wide run, the lines page sorted all 228k lines to
show 25 (0.3–0.6 s in the bench); with them it walks the SKU index (1 ms).
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from distribution.models import DistributionLine
from tests import factories as f

pytestmark = pytest.mark.django_db


def _estimated_rows() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [DistributionLine._meta.db_table])
        return float(cursor.fetchone()[0])


@pytest.mark.parametrize("threshold, stores, analysed", [(1, 2, True), (10**9, 3, False)])
def test_a_large_write_of_lines_is_analysed(week, tmp_path, monkeypatch, threshold, stores, analysed):
    monkeypatch.setattr("fastdso.db.LINES_ANALYZE_ROWS", threshold)
    p1 = f.product("00000001", "Uno", "Consolas")
    shops = [f.store(f"Tienda {n}") for n in range(stores)]
    f.weekly([(p1, shop, week(w), 2) for shop in shops for w in range(4)])
    f.cd_stock([(p1, 100)])
    request = tmp_path / "request.csv"
    request.write_text("sku\n00000001\n", encoding="utf-8")
    call_command("generate_distribution", str(request), stdout=io.StringIO())
    lines = DistributionLine.objects.count()
    assert lines == stores
    if connection.vendor != "postgresql":
        return  # SQLite plans without table statistics: nothing to refresh
    # ANALYZE updates pg_class in place (it survives the test's rollback): the
    # two cases write different line counts so that one cannot pass on the other's.
    assert (_estimated_rows() == lines) is analysed
