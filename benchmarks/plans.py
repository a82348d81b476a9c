"""`python manage.py bench --plans`: EXPLAIN (ANALYZE, BUFFERS) of the hot reads,
on whatever data the database holds (run it after `bench --size reference`).

The SQL is the one the app sends: each function is called for real and every
statement it runs on the weekly or stock tables is explained as it goes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection

HOT_TABLES = ("sales_salesweeklyagg", "sales_categorystoresales", "inventory_storestocksnapshot")


def _explained(call: Callable[[], Any]) -> list[str]:
    plans: list[str] = []

    def explain(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        if not many and sql.lstrip().upper().startswith("SELECT") and any(t in sql for t in HOT_TABLES):
            cursor = context["cursor"]
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        call()
    return plans


def _select(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()


def hot_query_plans(scope_skus: int = 2000, out: Callable[[str], None] = print) -> dict[str, list[str]]:
    """The distribution run's reads (SKU summary, category rates, the kept
    category summary, store stock)
    and the macro import's read of a stored range."""
    from inventory import queries as inventory_queries
    from inventory.models import Product, Store
    from sales import queries as sales_queries
    from sales.summary import summary_read
    from sales.weekly_writer import stored_rows_sql

    if connection.vendor != "postgresql":
        raise RuntimeError("Los planes se toman en PostgreSQL.")
    skus = list(Product.objects.order_by("sku").values_list("sku", flat=True)[:scope_skus])
    ids = list(Product.objects.filter(sku__in=skus).values_list("id", flat=True))
    categories = inventory_queries.product_categories()[:5]
    as_of = sales_queries.default_as_of_week()
    if as_of is None:
        raise RuntimeError("no macro sales loaded: the plans need the bench's data")
    stores = list(Store.objects.values_list("id", flat=True))
    window = sales_queries.window(13, as_of) or (as_of, as_of)
    # The SKU read and the import's range read go by binary COPY (not through
    # Django's cursor): their SELECTs are explained directly.
    span = sales_queries.window(12, as_of) or (as_of, as_of)
    summary_sql, summary_params = sales_queries.weekly_sales_summary_sql(sorted(ids), span, 2)
    cases: dict[str, Callable[[], Any]] = {
        f"weekly_sales_summary ({len(skus)} SKUs, 12 weeks, recent 2)": lambda: _select(summary_sql, summary_params),
        f"category_store_units ({len(categories)} categories, 12 weeks)": lambda: sales_queries.category_store_units(
            categories, 12, as_of
        ),
        f"category summary, kept ({len(categories)} categories, 12 weeks)": lambda: summary_read(categories, 12, as_of),
        f"store_stock ({len(ids)} products)": lambda: inventory_queries.store_stock(ids),
    }
    sql, params = stored_rows_sql(stores, window[0], window[1])
    cases[f"macro import: stored rows of {len(stores)} stores × 13 weeks"] = lambda: _select(sql, params)
    plans = {}
    for label, call in cases.items():
        plans[label] = _explained(call)
        for plan in plans[label]:
            out(f"### {label}\n{plan}\n")
    return plans
