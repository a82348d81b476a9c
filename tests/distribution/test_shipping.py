"""SPEC v3 §5.7: reservations follow the goods — the four measured ways v2
shipped the same units twice, on hand-checkable numbers.

The shop of test_lifecycle: SKU "0001", Tienda A and Tienda B each selling
10 a week (SMA1), store stock 0 and CD 30 counted on 1 March. A first run
(target 2 weeks) sends A 20 and B 10. It is approved and exported on
1 April (D1); the default `cd_pick_days` is 2 and each store's lead time 2.
Each test fails on the v2 code: there a snapshot dated after the approval
ended the reservation or the in-transit units, whatever had moved.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from distribution.models import DistributionLine, DistributionRun
from fastdso.jobs import JobInputError
from fastdso.lifecycle import run_transition
from fastdso.messages import render as message_text
from inventory import queries as inventory_queries
from inventory.models import Product, StockMovement
from inventory.services import cd_stock_import, movements_import, store_stock_import
from tests import factories
from tests.distribution.helpers import generate, request_file

D1, D2, D3, D4 = (dt.date(2026, 4, day) for day in (1, 2, 3, 4))


@pytest.fixture
def clock(monkeypatch):
    """Set today (noon UTC: the same date in America/Santiago)."""

    def set_today(day: dt.date) -> None:
        moment = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_today


@pytest.fixture
def shop(db, week, tmp_path):
    a, b = factories.store("Tienda A"), factories.store("Tienda B")
    sku = factories.product("0001", category="Audio")
    factories.weekly([(sku, a, week(11), 10), (sku, b, week(11), 10)])
    factories.cd_stock([(sku, 30)], day=dt.date(2026, 3, 1))
    factories.store_stock([(a, sku, 0), (b, sku, 0)], day=dt.date(2026, 3, 1))
    return {"a": a, "b": b, "sku": sku, "tmp": tmp_path, "request": request_file(tmp_path, [("0001",)])}


def _run(shop, **params) -> DistributionRun:
    return generate(shop["request"], model="SMA1", **params).run


def _allocated(run: DistributionRun) -> dict[str, int]:
    return dict(
        DistributionLine.objects.filter(run=run, store__isnull=False).values_list("store__name", "allocated_qty")
    )


def _cd_free(shop) -> int:
    return int(inventory_queries.cd_stock([shop["sku"].pk], effective=True)["units"].sum())


def _store_stock(shop) -> dict[str, int]:
    frame = inventory_queries.store_stock([shop["sku"].pk], effective=True)
    names = {shop["a"].pk: "Tienda A", shop["b"].pk: "Tienda B"}
    return {names[int(r.store_id)]: int(r.units) for r in frame.itertuples()}


def _exported_run(shop, clock, planner) -> DistributionRun:
    clock(D1)
    run = _run(shop)
    assert _allocated(run) == {"Tienda A": 20, "Tienda B": 10}
    run_transition(run_id=run.run_id, action="approve", user=planner)
    run_transition(run_id=run.run_id, action="export", user=planner)
    return run


def _shipments(shop, rows: list[str], *, receipts: bool = False, **kwargs):
    path = shop["tmp"] / f"moves-{len(list(shop['tmp'].glob('moves-*')))}.csv"
    header = "run_id,sku,store,qty," + ("received_on" if receipts else "shipped_on")
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return movements_import(path=path, kind="receipts" if receipts else "shipments", **kwargs)


# --- 1. A CD count before picking -------------------------------------------------------


def test_a_cd_count_before_picking_frees_nothing_promised(shop, clock, planner):
    first = _exported_run(shop, clock, planner)
    factories.cd_stock([(shop["sku"], 30)], day=D2)  # counted the day after: the goods are still there
    clock(D2)
    assert _cd_free(shop) == 0
    second = _run(shop, target_woc=3.0)  # A and B would take 10 and 20 more
    assert _allocated(second) == {"Tienda A": 0, "Tienda B": 0}  # v2: the 30 again

    # Shipped on D3: the D2 count still holds what left, so it stays reserved…
    clock(D3)
    result = run_transition(run_id=first.run_id, action="ship", user=planner)
    assert result.to_state == "shipped" and result.details["shipped_units"] == 30
    assert _cd_free(shop) == 0
    factories.cd_stock([(shop["sku"], 0)], day=D3)  # the ship day: maybe before the truck left
    assert _cd_free(shop) == -30
    # …until the CD is counted after the ship date.
    factories.cd_stock([(shop["sku"], 0)], day=D4)
    assert _cd_free(shop) == 0
    assert inventory_queries.cd_reservations([shop["sku"].pk]).empty


def test_without_confirmations_a_cd_count_pick_days_after_the_export_ends_the_reservation(shop, clock, planner):
    run = _exported_run(shop, clock, planner)
    factories.cd_stock([(shop["sku"], 30)], day=D2)  # 1 day after the export: still held
    assert _cd_free(shop) == 0
    factories.cd_stock([(shop["sku"], 0)], day=D3)  # 2 days after: picked
    assert _cd_free(shop) == 0 and inventory_queries.cd_reservations([shop["sku"].pk]).empty
    assert inventory_queries.source_commitments(run.run_id)["cd_units"] == 0
    # The stores still count the units until a count lead time after that.
    assert _store_stock(shop) == {"Tienda A": 20, "Tienda B": 10}


def test_units_never_shipped_stay_reserved_until_the_run_is_closed(shop, clock, planner):
    run = _exported_run(shop, clock, planner)
    clock(D2)
    _shipments(shop, [f"{run.run_id},0001,Tienda A,20,{D2}"], user=planner)
    run.refresh_from_db()
    assert run.state == "shipped"
    factories.cd_stock([(shop["sku"], 10)], day=D3)  # counted after A's 20 left; B's 10 still there
    factories.cd_stock([(shop["sku"], 10)], day=dt.date(2026, 4, 9))  # a week later: still not shipped
    assert _cd_free(shop) == 0  # confirmations given: no pick-days rule
    run_transition(run_id=run.run_id, action="close", user=planner)
    assert _cd_free(shop) == 10


# --- 2. A store count before the goods arrive ---------------------------------------------


def test_a_store_count_before_arrival_does_not_reship(shop, clock, planner):
    _exported_run(shop, clock, planner)
    factories.store_stock([(shop["a"], shop["sku"], 0), (shop["b"], shop["sku"], 0)], day=D2)
    factories.cd_stock([(shop["sku"], 60)], day=D3)  # a delivery reached the CD; the run's units were picked
    clock(D3)
    assert _cd_free(shop) == 60
    assert _store_stock(shop) == {"Tienda A": 20, "Tienda B": 10}  # v2: 0 and 0
    again = _run(shop)
    assert _allocated(again) == {"Tienda B": 10}  # A needs nothing (no line); v2: 20 and 20


def test_shipped_units_are_in_transit_until_the_lead_time_or_a_receipt(shop, clock, planner):
    run = _exported_run(shop, clock, planner)
    clock(D2)
    _shipments(shop, [f"{run.run_id},0001,Tienda A,20,{D2}", f"{run.run_id},0001,Tienda B,5,{D2}"])
    # Counted on D3, before the truck (lead time 2: due on D4).
    factories.store_stock([(shop["a"], shop["sku"], 0), (shop["b"], shop["sku"], 0)], day=D3)
    clock(D3)
    assert _store_stock(shop) == {"Tienda A": 20, "Tienda B": 10}  # B: 5 on the truck + 5 not shipped
    lines = inventory_queries.source_lines(run.run_id).set_index("store_id")
    a, b = shop["a"].pk, shop["b"].pk
    assert lines.loc[a, ["reserved", "shipped", "in_transit", "received"]].tolist() == [0, 20, 20, 0]
    assert lines.loc[b, ["reserved", "shipped", "in_transit", "received"]].tolist() == [5, 5, 5, 0]

    # B receives its 5 on D4 (after its count): no longer in transit, still not in the count.
    clock(D4)
    _shipments(shop, [f"{run.run_id},0001,Tienda B,5,{D4}"], receipts=True)
    lines = inventory_queries.source_lines(run.run_id).set_index("store_id")
    assert lines.loc[b, ["reserved", "shipped", "in_transit", "received"]].tolist() == [5, 5, 0, 5]
    assert _store_stock(shop) == {"Tienda A": 20, "Tienda B": 10}

    # Counts on D4 (A: due date reached; B: the day of its receipt) show the goods.
    factories.store_stock([(shop["a"], shop["sku"], 20), (shop["b"], shop["sku"], 5)], day=D4)
    assert _store_stock(shop) == {"Tienda A": 20, "Tienda B": 10}  # B: 5 counted + 5 never shipped
    position = inventory_queries.stock_position([shop["sku"].pk]).set_index("store_id", drop=False)
    assert position.loc[b, ["on_hand", "reserved", "in_transit", "available"]].tolist() == [5, 0, 5, 10]
    run_transition(run_id=run.run_id, action="close", user=planner)
    assert _store_stock(shop) == {"Tienda A": 20, "Tienda B": 5}


# --- 3. A pack residual topped up -----------------------------------------------------------


def test_the_next_run_counts_a_pack_in_transit_as_stock(db, week, tmp_path, clock, planner):
    """Cases of 12, Tienda A needs 20, the CD has one case: A gets 12. The next
    run, after a count of A taken before the case arrives, must see those 12
    (v2 saw 0 and sent two more cases)."""
    a = factories.store("Tienda A")
    sku = factories.product("0001", category="Audio")
    Product.objects.filter(pk=sku.pk).update(pack_size=12)
    factories.weekly([(sku, a, week(11), 10)])
    factories.cd_stock([(sku, 12)], day=dt.date(2026, 3, 1))
    factories.store_stock([(a, sku, 0)], day=dt.date(2026, 3, 1))
    request = request_file(tmp_path, [("0001",)])
    clock(D1)
    first = generate(request, model="SMA1").run
    assert _allocated(first) == {"Tienda A": 12}
    for action in ("approve", "export"):
        run_transition(run_id=first.run_id, action=action, user=planner)
    factories.store_stock([(a, sku, 0)], day=D3)  # counted before the case arrived
    factories.cd_stock([(sku, 120)], day=D3)
    clock(D3)
    second = generate(request, model="SMA1").run
    line = DistributionLine.objects.get(run=second, store=a)
    assert (line.store_stock, line.in_transit) == (12, 12)
    assert line.allocated_qty < 24  # v2: store stock 0, two more cases


# --- 4. A future-dated snapshot -----------------------------------------------------------------


def test_a_stock_file_dated_after_today_is_refused_and_keeps_the_approvals(shop, clock, planner, tmp_path):
    run = _exported_run(shop, clock, planner)
    stores = tmp_path / "stores.csv"
    stores.write_text("sku,store,quantity\n0001,Tienda A,0\n0001,Tienda B,0\n", encoding="utf-8")
    cd = tmp_path / "cd.csv"
    cd.write_text("sku,quantity\n0001,0\n", encoding="utf-8")
    with pytest.raises(JobInputError, match="posterior a hoy"):
        store_stock_import(path=stores, snapshot_date=D2)
    with pytest.raises(JobInputError, match="posterior a hoy"):
        cd_stock_import(path=cd, snapshot_date=D2)
    with pytest.raises(CommandError):
        call_command("import_store_stock", str(stores), "--date", D2.isoformat())
    assert _store_stock(shop) == {"Tienda A": 20, "Tienda B": 10}  # v2: 0 and 0
    assert _cd_free(shop) == 0
    assert inventory_queries.source_commitments(run.run_id) == {"cd_units": 30, "store_units": 30}


# --- The shipment file refuses what cannot be --------------------------------------------------


def test_a_shipment_file_with_any_bad_row_is_refused_whole(shop, clock, planner):
    run = _exported_run(shop, clock, planner)
    clock(D2)
    rows = [
        f"{run.run_id},0001,Tienda A,15,{D2}",  # fine
        f"{run.run_id},0001,Tienda A,10,{D2}",  # with the row above: 25 > 20
        f"{run.run_id},0001,Tienda Z,1,{D2}",  # unknown store
        f"{run.run_id},9999,Tienda A,1,{D2}",  # unknown SKU
        f"DR-20990101-0001,0001,Tienda A,1,{D2}",  # unknown run
        f"{run.run_id},0001,Tienda B,1,{D3}",  # after today
    ]
    with pytest.raises(JobInputError) as refused:
        _shipments(shop, rows)
    found = {(e.row, e.column) for e in refused.value.errors}
    assert {(2, "qty"), (3, "qty"), (4, "store"), (5, "sku"), (6, "run_id"), (7, "shipped_on")} <= found
    assert not StockMovement.objects.exists()
    run.refresh_from_db()
    assert run.state == "exported"


def test_a_shipment_dated_before_the_last_count_needs_a_backfill(shop, clock, planner):
    run = _exported_run(shop, clock, planner)
    factories.cd_stock([(shop["sku"], 30)], day=D3)
    clock(D4)
    with pytest.raises(JobInputError) as refused:
        _shipments(shop, [f"{run.run_id},0001,Tienda A,20,{D2}"])
    assert "--backfill" in message_text(refused.value.errors[0].message)
    result = _shipments(shop, [f"{run.run_id},0001,Tienda A,20,{D2}"], backfill=True, user=planner)
    assert result.backfill and StockMovement.objects.get().backfill
    from fastdso.models import AuditEvent

    event = AuditEvent.objects.filter(action="upload").latest("id")
    assert event.details["backfill"] is True and event.details["kind"] == "shipments"
