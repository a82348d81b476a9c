"""PostgreSQL's packed bulk reads give the same frames as the row-by-row reads."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from django.db import connection

from sales import queries
from tests import factories

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the packed reads are PostgreSQL's")
WEEK = dt.date(2026, 3, 2)


def test_weekly_sales_of_many_skus_is_read_packed_and_equals_the_row_read(db):
    one, two = factories.store("Tienda 1"), factories.store("Tienda 2")
    products = [factories.product(f"{i:05d}", category="Cables") for i in range(queries.PACKED_SKUS + 5)]
    rows = [(p, one, WEEK - dt.timedelta(weeks=i % 3), i + 1) for i, p in enumerate(products)]
    rows += [(p, two, WEEK, -2) for p in products[:7]]
    factories.weekly(rows)
    skus = [p.sku for p in products] + ["nope"]

    packed = queries.weekly_sales(skus, 4, WEEK)
    span = queries.window(4, WEEK)
    assert span is not None
    by_row = queries._frame(
        queries._sku_window_rows("p.sku, w.product_id, w.store_id, w.week_start, w.units", sorted(skus), span),
        ["sku", "product_id", "store_id", "week_start", "units"],
        dates=["week_start"],
    )
    key = ["product_id", "store_id", "week_start"]
    assert len(packed) == len(rows) == len(by_row)
    pd.testing.assert_frame_equal(
        packed.sort_values(key).reset_index(drop=True), by_row.sort_values(key).reset_index(drop=True)
    )
    assert packed.loc[packed["sku"] == "00000", "week_start"].tolist() == [WEEK, WEEK]
