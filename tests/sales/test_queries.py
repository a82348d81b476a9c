"""The sales-series API reads only what it is asked for (SPEC §4.4)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sales import queries
from tests import factories


def test_as_of_week_is_the_last_complete_week(db, week):
    shop = factories.store("Tienda A")
    item = factories.product("0001")
    # Data up to Wednesday of week(3): week(3) is partial, week(2) is the last complete one.
    factories.weekly([(item, shop, week(3), 1)], last_date=week(3) + dt.timedelta(days=2))
    assert queries.default_as_of_week() == week(2)
    assert queries.resolve_as_of_week(dt.date(2026, 1, 22)) == week(2)  # the week containing the date
    assert queries.window(3) == (week(0), week(2))


def test_as_of_on_a_sunday_keeps_that_week(db, week):
    shop, item = factories.store("Tienda A"), factories.product("0001")
    factories.weekly([(item, shop, week(3), 1)], last_date=week(3) + dt.timedelta(days=6))
    assert queries.default_as_of_week() == week(3)


def test_weekly_sales_returns_only_requested_skus_in_one_query(db, week):
    a, b = factories.store("Tienda A"), factories.store("Tienda B")
    wanted = factories.product("00012345")
    others = [factories.product(f"9{i:04d}") for i in range(30)]
    factories.weekly(
        [(wanted, a, week(0), 2), (wanted, b, week(1), 5), (wanted, a, week(-5), 9)]
        + [(p, a, week(1), 1) for p in others]
    )
    with CaptureQueriesContext(connection) as ctx:
        frame = queries.weekly_sales(["00012345"], weeks=2, as_of=week(1))
    sales_queries = [q["sql"] for q in ctx.captured_queries if "salesweeklyagg" in q["sql"]]
    assert len(sales_queries) == 1
    assert sorted(frame["units"]) == [2, 5]
    assert set(frame["sku"]) == {"00012345"}
    assert frame.columns.tolist()[:2] == ["sku", "product_id"]


def test_weekly_sales_store_filter(db, week):
    a, b = factories.store("Tienda A"), factories.store("Tienda B")
    item = factories.product("1")
    factories.weekly([(item, a, week(0), 2), (item, b, week(0), 5)])
    frame = queries.weekly_sales(["1"], weeks=1, as_of=week(0), stores=[b.pk])
    assert frame["units"].tolist() == [5]


def test_category_store_rates(db, week):
    a, b = factories.store("Tienda A"), factories.store("Tienda B")
    c1 = factories.product("1", category="Consolas")
    c2 = factories.product("2", category="Consolas")
    other = factories.product("3", category="Audio")
    factories.weekly([(c1, a, week(0), 4), (c2, a, week(1), 2), (c1, b, week(1), 3), (other, b, week(1), 50)])
    rates = queries.category_store_rates("Consolas", weeks=2, as_of=week(1)).set_index("store_id")["avg_weekly_units"]
    assert rates.to_dict() == {a.pk: 3.0, b.pk: 1.5}
    per_sku = queries.category_sku_units(["Consolas"], weeks=2, as_of=week(1)).set_index("sku")["units"]
    assert per_sku.to_dict() == {"1": 7, "2": 2}


def test_promoted_week_units_are_the_rows_a_promotion_covers(db, week):
    from sales.models import Promotion

    a, b = factories.store("Tienda A"), factories.store("Tienda B")
    item, other = factories.product("0001"), factories.product("0002")
    rows = [(item, s, week(i), 10 * i + s.pk) for s in (a, b) for i in range(4)] + [(other, a, week(2), 5)]
    factories.weekly(rows)
    # Every store from the Sunday of week(1) (it covers week 1) to week(2)'s Monday; store B only in week(3).
    Promotion.objects.create(product=item, start_date=week(1) + dt.timedelta(days=6), end_date=week(2))
    Promotion.objects.create(product=item, store=b, start_date=week(3) + dt.timedelta(days=3), end_date=week(4))
    Promotion.objects.create(product=other, start_date=week(0), end_date=week(3))  # not asked for
    frame = queries.promoted_week_units([item.pk], weeks=3, as_of=week(3))  # the window: weeks 1..3
    got = {(r.store_id, r.week_start.date(), r.units) for r in frame.itertuples()}
    assert got == {
        (a.pk, week(1), 10 + a.pk),
        (b.pk, week(1), 10 + b.pk),
        (a.pk, week(2), 20 + a.pk),
        (b.pk, week(2), 20 + b.pk),
        (b.pk, week(3), 30 + b.pk),
    }
