"""The redistribution service: validation, bulk reads, persistence, summary, audit, log."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fastdso.files import FileRejected
from fastdso.jobs import JobInputError
from fastdso.messages import render as message_text
from fastdso.models import AuditEvent
from redistribution.engine import SCOPE_CATEGORY, SCOPE_SKUS, RedistParams
from redistribution.explain import explanation_of
from redistribution.models import TransferLine, TransferPlan
from redistribution.services import (
    MODE_MANUAL,
    PlanRequest,
    plan_lines_frame,
    sku_quantities_read,
    transfer_plan_create,
)
from tests import factories as f


@pytest.fixture
def shop(db, week):
    """Three stores, two categories. Centro sells a little and holds stock; Norte sells and has none.

    Over 8 weeks: Norte sells 00000001 2/wk, 00000002 1/wk (Consolas), 00000003 3/wk (Audio);
    Centro sells 1/wk of each.
    """
    centro, norte, sur = f.store("Tienda Centro", code="C01"), f.store("Tienda Norte"), f.store("Tienda Sur")
    p1 = f.product("00000001", "Consola Uno", "Consolas")
    p2 = f.product("00000002", "Consola Dos", "Consolas")
    p3 = f.product("00000003", "Parlante", "Audio")
    rows = []
    for w in range(8):
        rows += [(p1, norte, week(w), 2), (p2, norte, week(w), 1), (p3, norte, week(w), 3)]
        rows += [(p1, centro, week(w), 1), (p2, centro, week(w), 1), (p3, centro, week(w), 1)]
    f.weekly(rows)
    f.store_stock([(centro, p1, 40), (centro, p2, 40), (centro, p3, 40)])
    return {"centro": centro, "norte": norte, "sur": sur, "p1": p1, "p2": p2, "p3": p3}


def sku_csv(tmp_path, text: str):
    path = tmp_path / "skus.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_category_scope_to_one_store(shop, planner):
    plan = transfer_plan_create(
        user=planner,
        request=PlanRequest(scope=SCOPE_CATEGORY, category="Consolas", destination_id=shop["norte"].pk),
    )
    lines = {
        (ln.product.sku, ln.origin_store.name, ln.qty) for ln in plan.lines.select_related("product", "origin_store")
    }
    # Blended Norte demand: 1.94 (→ need 4) and 1.06 (→ need 3); Centro keeps ceil(2 × 1.06) = 3 and 2.
    assert lines == {("00000001", "Tienda Centro", 4), ("00000002", "Tienda Centro", 3)}
    assert plan.summary["moves"] == 2
    assert plan.summary["units"] == 7
    assert plan.total_units == 7 and plan.line_count == 2
    assert plan.category == "Consolas"


def test_sku_list_scope_uses_own_demand(shop, planner, tmp_path):
    path = sku_csv(tmp_path, "sku\n00000001\n00000003\n")
    plan = transfer_plan_create(
        user=planner, request=PlanRequest(scope=SCOPE_SKUS, destination_id=shop["norte"].pk), sku_file=path
    )
    got = dict(plan.lines.values_list("product__sku", "qty"))
    assert got == {"00000001": 4, "00000003": 6}
    assert plan.request_file_name == "skus.csv"


def test_plan_id_is_readable_and_unique(shop, planner):
    request = PlanRequest(scope=SCOPE_CATEGORY, category="Consolas", destination_id=shop["norte"].pk)
    first = transfer_plan_create(user=planner, request=request)
    second = transfer_plan_create(user=planner, request=request)
    assert re.fullmatch(r"TP-\d{8}-0001", first.plan_id)
    assert second.plan_id == first.plan_id[:-4] + "0002"


def test_plan_is_audited_and_logged(shop, planner, caplog):
    with caplog.at_level(logging.INFO, logger="redistribution.services"):
        plan = transfer_plan_create(
            user=planner, request=PlanRequest(scope=SCOPE_CATEGORY, category="Consolas", destination_id=None)
        )
    event = AuditEvent.objects.get(action="plan")
    assert event.object_id == str(plan.pk)
    assert event.user == planner
    assert event.details["moves"] == plan.summary["moves"]
    assert any(plan.plan_id in r.message and "moves=" in r.message for r in caplog.records)


def test_lines_explain_themselves(shop, planner):
    plan = transfer_plan_create(
        user=planner,
        request=PlanRequest(scope=SCOPE_CATEGORY, category="Consolas", destination_id=shop["norte"].pk),
    )
    line = plan.lines.get(product=shop["p1"])
    assert (line.destination_stock, line.origin_stock, line.origin_retain) == (0, 40, 3)
    assert line.destination_demand == pytest.approx(1.94)
    assert line.cover_before == 0
    assert line.cover_after == pytest.approx(4 / 1.94, abs=1e-3)
    assert line.urgent
    text = explanation_of(line)
    assert "Tienda Norte" in text and "retiene 3 u" in text


def test_few_queries_whatever_the_number_of_skus(shop, planner):
    request = PlanRequest(scope=SCOPE_CATEGORY, category="Consolas", destination_id=None)
    with CaptureQueriesContext(connection) as small:
        transfer_plan_create(user=planner, request=request)
    more = [f.product(f"1{i:07d}", category="Consolas") for i in range(30)]
    f.weekly([(p, shop["norte"], dt.date(2026, 2, 16), 5) for p in more], last_date=dt.date(2026, 3, 1))
    f.store_stock([(shop["centro"], p, 50) for p in more])
    with CaptureQueriesContext(connection) as large:
        plan = transfer_plan_create(user=planner, request=replace(request, params=RedistParams(top_n=40)))
    assert plan.summary["skus_considered"] > 20
    assert len(large.captured_queries) <= len(small.captured_queries) + 2


# --- safety ------------------------------------------------------------------------


def test_refused_without_macro_sales(db, planner):
    f.store("Tienda Sola")
    with pytest.raises(JobInputError, match="No hay ventas macro"):
        transfer_plan_create(user=planner, request=PlanRequest(scope=SCOPE_CATEGORY, category="Consolas"))
    assert not TransferPlan.objects.exists()


def test_category_without_products_is_a_warning(shop, planner):
    plan = transfer_plan_create(user=planner, request=PlanRequest(scope=SCOPE_CATEGORY, category="Juguetes"))
    assert plan.line_count == 0
    assert any("no tiene productos" in message_text(w) for w in plan.warnings)


def test_category_without_sales_in_window_is_a_warning(shop, planner):
    f.product("00000009", category="Libros")
    plan = transfer_plan_create(user=planner, request=PlanRequest(scope=SCOPE_CATEGORY, category="Libros"))
    assert plan.line_count == 0
    assert any("no tiene ventas" in message_text(w) for w in plan.warnings)


def test_unknown_stores_are_a_clear_error(shop, planner):
    with pytest.raises(JobInputError, match="destino no existe"):
        transfer_plan_create(
            user=planner, request=PlanRequest(scope=SCOPE_CATEGORY, category="Consolas", destination_id=999_999)
        )
    with pytest.raises(JobInputError, match="Tiendas elegibles desconocidas"):
        transfer_plan_create(
            user=planner,
            request=PlanRequest(
                scope=SCOPE_CATEGORY, category="Consolas", eligible_store_ids=(shop["norte"].pk, 999_999)
            ),
        )


def test_destination_must_be_eligible(shop, planner):
    with pytest.raises(JobInputError, match="no está entre las tiendas elegibles"):
        transfer_plan_create(
            user=planner,
            request=PlanRequest(
                scope=SCOPE_CATEGORY,
                category="Consolas",
                destination_id=shop["norte"].pk,
                eligible_store_ids=(shop["centro"].pk, shop["sur"].pk),
            ),
        )


def test_eligible_stores_limit_donors_and_destinations(shop, planner):
    plan = transfer_plan_create(
        user=planner,
        request=PlanRequest(
            scope=SCOPE_CATEGORY, category="Consolas", eligible_store_ids=(shop["norte"].pk, shop["sur"].pk)
        ),
    )
    # Centro, the only store with stock, is not eligible: nobody can give.
    assert plan.line_count == 0
    assert plan.summary["destinations_short"] == 1


def test_bad_params_are_refused(shop, planner):
    with pytest.raises(JobInputError, match="target_woc"):
        transfer_plan_create(
            user=planner,
            request=PlanRequest(scope=SCOPE_CATEGORY, category="Consolas", params=RedistParams(target_woc=0.5)),
        )


def test_unknown_skus_warn_and_all_unknown_is_an_error(shop, planner, tmp_path):
    plan = transfer_plan_create(
        user=planner,
        request=PlanRequest(destination_id=shop["norte"].pk),
        sku_file=sku_csv(tmp_path, "sku\n00000001\n77777777\n"),
    )
    assert any("77777777" in message_text(w) for w in plan.warnings)
    with pytest.raises(JobInputError, match="Ninguno de los 1 SKUs"):
        transfer_plan_create(
            user=planner, request=PlanRequest(destination_id=shop["norte"].pk), sku_file=sku_csv(tmp_path, "sku\n88\n")
        )


def test_bad_sku_file_is_rejected_whole(shop, planner, tmp_path):
    with pytest.raises(FileRejected) as info:
        transfer_plan_create(
            user=planner,
            request=PlanRequest(mode=MODE_MANUAL, destination_id=shop["norte"].pk, override_qty=True),
            sku_file=sku_csv(tmp_path, "sku,qty\n00000001,3\n00000002,tres\n"),
        )
    assert info.value.errors[0].row == 3
    assert not TransferPlan.objects.exists()


def test_sku_file_keeps_leading_zeros_merges_repeats_and_reads_cantidad(tmp_path):
    frame, warnings = sku_quantities_read(sku_csv(tmp_path, "SKU;Cantidad\n00012;2\n00012;3\n7;\n"))
    assert frame["sku"].tolist() == ["00012", "7"]
    assert frame["file_qty"].tolist()[0] == 5
    assert warnings and "00012" in message_text(warnings[0])


def test_qty_column_ignored_when_the_system_decides(shop, planner, tmp_path):
    plan = transfer_plan_create(
        user=planner,
        request=PlanRequest(mode=MODE_MANUAL, origin_id=shop["centro"].pk, destination_id=shop["norte"].pk),
        sku_file=sku_csv(tmp_path, "sku,qty\n00000001,15\n"),
    )
    assert list(plan.lines.values_list("qty", flat=True)) == [4]
    assert any("se ignoró" in message_text(w) for w in plan.warnings)


def test_file_qty_as_ceiling_when_system_does_not_decide(shop, planner, tmp_path):
    plan = transfer_plan_create(
        user=planner,
        request=PlanRequest(
            mode=MODE_MANUAL, origin_id=shop["centro"].pk, destination_id=shop["norte"].pk, system_decides=False
        ),
        sku_file=sku_csv(tmp_path, "sku,qty\n00000001,3\n00000003,15\n"),
    )
    assert dict(plan.lines.values_list("product__sku", "qty")) == {"00000001": 3, "00000003": 6}


def test_override_without_qty_column_falls_back_to_the_system(shop, planner, tmp_path):
    plan = transfer_plan_create(
        user=planner,
        request=PlanRequest(
            mode=MODE_MANUAL, origin_id=shop["centro"].pk, destination_id=shop["norte"].pk, override_qty=True
        ),
        sku_file=sku_csv(tmp_path, "sku\n00000001\n"),
    )
    assert list(plan.lines.values_list("qty", flat=True)) == [4]
    assert any("no trae la columna qty" in message_text(w) for w in plan.warnings)


def test_request_round_trips_through_json():
    request = PlanRequest(
        mode=MODE_MANUAL,
        scope=SCOPE_CATEGORY,
        category="Audio",
        destination_id=3,
        origin_id=4,
        auto_pick_donors=False,
        eligible_store_ids=(3, 4),
        as_of=dt.date(2026, 2, 2),
        params=RedistParams(min_fill=3, max_units=50),
    )
    assert PlanRequest.from_json(request.to_json()) == request


def test_export_frame_has_the_contract_columns_first(shop, planner):
    plan = transfer_plan_create(
        user=planner, request=PlanRequest(scope=SCOPE_CATEGORY, category="Consolas", destination_id=shop["norte"].pk)
    )
    frame = plan_lines_frame(plan)
    assert list(frame.columns[:11]) == [
        "plan_id",
        "sku",
        "category",
        "origin_store",
        "destination_store",
        "qty",
        "origin_stock",
        "origin_retain",
        "destination_stock",
        "destination_demand",
        "reason",
    ]
    assert frame["sku"].tolist() == ["00000001", "00000002"]
    assert TransferLine.objects.filter(plan=plan).count() == len(frame)


def test_sku_store_units_is_weekly_sales_summed(shop, week):
    from sales.queries import sku_store_units, weekly_sales

    # A row outside the 4-week window must not count.
    f.weekly([(shop["p1"], shop["sur"], week(2), 9)], last_date=week(7) + dt.timedelta(days=6))
    skus = ["00000001", "00000003", "99999999"]
    expected = (
        weekly_sales(skus, 4)
        .groupby(["product_id", "store_id"], as_index=False)["units"]
        .sum()
        .sort_values(["product_id", "store_id"])
        .reset_index(drop=True)
    )
    got = sku_store_units(skus, 4).sort_values(["product_id", "store_id"]).reset_index(drop=True)
    assert got.equals(expected.astype("int64"))
    assert len(got) == 4  # p1 and p3 at Norte and Centro
    only_norte = sku_store_units(skus, 4, stores=[shop["norte"].pk])
    assert set(only_norte["store_id"]) == {shop["norte"].pk}
    assert sku_store_units([], 4).empty
