"""Transfer plan lifecycle (SPEC §5.7): an approved plan lowers the donor's
stock and raises the destination's, for redistribution, distribution and
Store Health, until the goods moved and each store counted them (v3).

Tienda A holds 12 units of "0001", Tienda B none; B sells 10 a week. The plan
moves 5 from A to B.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from distribution.explain import explanation_of
from distribution.models import DistributionLine
from fastdso.lifecycle import TransitionRefused, run_transition
from health import queries as health_queries
from inventory import queries as inventory_queries
from inventory.models import StockCommitment
from redistribution.models import TransferLine, TransferPlan
from tests import factories
from tests.distribution.helpers import generate, request_file


@pytest.fixture
def shop(db, week):
    a, b = factories.store("Tienda A"), factories.store("Tienda B")
    sku = factories.product("0001", category="Audio")
    factories.weekly([(sku, b, week(11), 10)])
    factories.cd_stock([(sku, 100)])
    factories.store_stock([(a, sku, 12), (b, sku, 0)])
    return {"a": a, "b": b, "sku": sku}


def _plan(shop, plan_id: str, qty: int) -> TransferPlan:
    plan = TransferPlan.objects.create(plan_id=plan_id, line_count=1, total_units=qty)
    TransferLine.objects.create(
        plan=plan, product=shop["sku"], origin_store=shop["a"], destination_store=shop["b"], qty=qty
    )
    return plan


def _stock(shop, **kwargs) -> dict[str, int]:
    frame = inventory_queries.store_stock([shop["sku"].pk], **kwargs)
    names = {shop["a"].pk: "A", shop["b"].pk: "B"}
    return {names[int(r.store_id)]: int(r.units) for r in frame.itertuples()}


def test_an_approved_plan_moves_stock_from_donor_to_destination(shop, planner):
    plan = _plan(shop, "TP-20261129-0001", 5)
    assert _stock(shop, effective=True) == {"A": 12, "B": 0}  # a draft moves nothing
    result = run_transition(run_id=plan.plan_id, action="approve", user=planner)
    assert result.to_state == "approved"
    assert _stock(shop, effective=True) == {"A": 7, "B": 5}
    assert _stock(shop) == {"A": 12, "B": 0}  # the snapshot itself is untouched
    # The CD is not involved.
    assert int(inventory_queries.cd_stock([shop["sku"].pk], effective=True)["units"].sum()) == 100
    # Store Health reads the same stock.
    health = health_queries.store_stock_positive([shop["sku"].pk])
    assert sorted(health["units"].tolist()) == [5, 7]
    assert set(StockCommitment.objects.values_list("kind", "units")) == {("donor_out", -5), ("in_transit", 5)}


def test_distribution_plans_with_the_transfer_in(shop, planner, tmp_path):
    plan = _plan(shop, "TP-20261129-0001", 5)
    run_transition(run_id=plan.plan_id, action="approve", user=planner)
    run = generate(request_file(tmp_path, [("0001",)]), model="SMA1").run  # B needs 2 × 10 = 20
    line = DistributionLine.objects.get(run=run, store=shop["b"])
    assert (line.store_stock, line.in_transit, line.suggested_qty, line.allocated_qty) == (5, 5, 15, 15)
    assert f"stock tienda 0 + 5 en tránsito por {plan.plan_id} = 5" in explanation_of(line)


def test_a_donor_cannot_give_the_same_units_twice(shop, planner):
    first, second = _plan(shop, "TP-20261129-0001", 5), _plan(shop, "TP-20261129-0002", 10)
    run_transition(run_id=first.plan_id, action="approve", user=planner)
    with pytest.raises(TransitionRefused) as refused:
        run_transition(run_id=second.plan_id, action="approve", user=planner)
    assert "0001 en Tienda A (salen 10, quedan 7)" in str(refused.value)
    second.refresh_from_db()
    assert second.state == "draft"
    assert not StockCommitment.objects.filter(source=second.plan_id).exists()


def test_each_side_ends_when_its_store_counts_after_the_goods_moved(shop, planner):
    """v3 (SPEC §5.7): a donor count before the goods leave still holds them
    (v2 ended the donor side with any count after the approval); once shipped,
    the donor's count on or after the ship date shows them gone, and the
    destination counts them in transit until its lead time (2 days)."""
    plan = _plan(shop, "TP-20261129-0001", 5)
    run_transition(run_id=plan.plan_id, action="approve", user=planner)
    today = timezone.localdate()
    factories.store_stock([(shop["a"], shop["sku"], 12)], day=today)  # counted before they left
    assert _stock(shop, effective=True) == {"A": 7, "B": 5}
    run_transition(run_id=plan.plan_id, action="export", user=planner)
    run_transition(run_id=plan.plan_id, action="ship", user=planner)
    assert _stock(shop, effective=True) == {"A": 7, "B": 5}  # the donor's count is dated the ship day
    factories.store_stock([(shop["a"], shop["sku"], 7)], day=today + dt.timedelta(days=1))
    factories.store_stock([(shop["b"], shop["sku"], 0)], day=today + dt.timedelta(days=1))  # before arrival
    assert _stock(shop, effective=True) == {"A": 7, "B": 5}
    assert inventory_queries.source_commitments(plan.plan_id) == {"cd_units": 0, "store_units": 5}
    factories.store_stock([(shop["b"], shop["sku"], 5)], day=today + dt.timedelta(days=2))
    assert _stock(shop, effective=True) == {"A": 7, "B": 5}
    result = run_transition(run_id=plan.plan_id, action="close", user=planner)
    assert result.to_state == "closed"
    assert _stock(shop, effective=True) == {"A": 7, "B": 5}


def test_cancel_releases_both_sides(shop, planner):
    plan = _plan(shop, "TP-20261129-0001", 5)
    run_transition(run_id=plan.plan_id, action="approve", user=planner)
    result = run_transition(run_id=plan.plan_id, action="cancel", user=planner)
    assert result.details["released_units"] == 5
    assert _stock(shop, effective=True) == {"A": 12, "B": 0}


def test_plan_export_is_kept_and_an_exported_plan_cannot_be_cancelled(shop, planner):
    plan = _plan(shop, "TP-20261129-0001", 5)
    run_transition(run_id=plan.plan_id, action="approve", user=planner)
    run_transition(run_id=plan.plan_id, action="export", user=planner, export_format="xlsx")
    plan.refresh_from_db()
    with plan.export_file.open("rb") as handle:
        assert handle.read(2) == b"PK"  # an XLSX (zip) file
    with pytest.raises(TransitionRefused, match="Nada cambió"):
        run_transition(run_id=plan.plan_id, action="cancel", user=planner)
    assert _stock(shop, effective=True) == {"A": 7, "B": 5}


def test_the_admin_refuses_to_delete_a_plan_that_holds_stock(shop, planner, staff_client):
    plan = _plan(shop, "TP-20260301-0001", 5)
    run_transition(run_id=plan.plan_id, action="approve", user=planner)
    run_transition(run_id=plan.plan_id, action="export", user=planner)
    page = reverse("admin:redistribution_transferplan_delete", args=[plan.pk])
    answer = staff_client.post(page, {"post": "yes"}).content.decode()
    assert "TP-20260301-0001 está «Exportado» y reserva stock: cancélelo o ciérrelo antes de borrarlo." in answer
    assert TransferPlan.objects.filter(pk=plan.pk).exists()
    assert _stock(shop, effective=True) == {"A": 7, "B": 5}
    run_transition(run_id=plan.plan_id, action="close", user=planner)
    assert staff_client.post(page, {"post": "yes"}).status_code == 302
    assert _stock(shop, effective=True) == {"A": 12, "B": 0}
