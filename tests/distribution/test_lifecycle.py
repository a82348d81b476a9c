"""Run lifecycle and reservations (SPEC §5.7) on hand-checkable numbers.

One SKU "0001", two stores that each sold 10 units in the as-of week (SMA1:
rate 10/week), store stock 0 and CD stock 30 in the snapshots of 2026-03-01.
With target_woc 2 each store needs 20: the CD's 30 go 20 to Tienda A and 10
to Tienda B (priority: same rate, store name).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from distribution.explain import explanation_of
from distribution.models import DistributionLine, DistributionRun
from fastdso.lifecycle import TransitionRefused, run_transition
from fastdso.models import AuditEvent
from health import queries as health_queries
from inventory import queries as inventory_queries
from inventory.models import StockCommitment
from tests import factories
from tests.distribution.helpers import generate, request_file

SNAPSHOT = dt.date(2026, 3, 1)


@pytest.fixture
def shop(db, week, tmp_path):
    a, b = factories.store("Tienda A"), factories.store("Tienda B")
    sku = factories.product("0001", category="Audio")
    factories.weekly([(sku, a, week(11), 10), (sku, b, week(11), 10)])
    factories.cd_stock([(sku, 30)], day=SNAPSHOT)
    factories.store_stock([(a, sku, 0), (b, sku, 0)], day=SNAPSHOT)
    return {"a": a, "b": b, "sku": sku, "request": request_file(tmp_path, [("0001",)])}


def _run(shop, **params) -> DistributionRun:
    return generate(shop["request"], model="SMA1", **params).run


def _allocated(run: DistributionRun) -> dict[str, int]:
    lines = DistributionLine.objects.filter(run=run, store__isnull=False)
    return dict(lines.values_list("store__name", "allocated_qty"))


def _line(run: DistributionRun, store: str) -> DistributionLine:
    return DistributionLine.objects.get(run=run, store__name=store)


def _cd_free(shop) -> int:
    return int(inventory_queries.cd_stock([shop["sku"].pk], effective=True)["units"].sum())


def _store_stock(shop) -> dict[str, int]:
    frame = inventory_queries.store_stock([shop["sku"].pk], effective=True)
    names = {shop["a"].pk: "Tienda A", shop["b"].pk: "Tienda B"}
    return {names[int(r.store_id)]: int(r.units) for r in frame.itertuples()}


def test_a_new_run_is_a_draft_and_reserves_nothing(shop, planner):
    run = _run(shop)
    assert run.state == "draft"
    assert _allocated(run) == {"Tienda A": 20, "Tienda B": 10}
    assert _cd_free(shop) == 30
    assert not StockCommitment.objects.exists()


def test_two_runs_approved_before_a_snapshot_never_allocate_more_than_the_cd_held(shop, planner):
    first = _run(shop)
    run_transition(run_id=first.run_id, action="approve", user=planner)
    assert _cd_free(shop) == 0  # 30 − 30 reserved
    assert _store_stock(shop) == {"Tienda A": 20, "Tienda B": 10}  # 0 + in transit

    # A bolder second run: target 3 weeks → need 30 each, stock (with transit) 20 / 10.
    second = _run(shop, target_woc=3.0)
    assert {
        r.store.name: r.suggested_qty for r in DistributionLine.objects.filter(run=second).select_related("store")
    } == {
        "Tienda A": 10,
        "Tienda B": 20,
    }
    assert _allocated(second) == {"Tienda A": 0, "Tienda B": 0}
    line = _line(second, "Tienda B")
    assert (line.cd_stock, line.cd_reserved, line.store_stock, line.in_transit) == (0, 30, 10, 10)
    assert f"CD 30 − 30 reservadas por {first.run_id}: 30 = 0" in explanation_of(line)
    assert f"stock tienda 0 + 10 en tránsito por {first.run_id} = 10" in explanation_of(line)
    assert first.run_id in line.reserved_by
    assert second.summary["cd_reserved_units"] == 30
    assert second.summary["cd_reserved_by"] == {first.run_id: 30}
    run_transition(run_id=second.run_id, action="approve", user=planner)  # allocates nothing: nothing to over-reserve
    reserved = -sum(StockCommitment.objects.filter(store=None, is_open=True).values_list("units", flat=True))
    assert reserved == 30


def test_part_of_the_cd_left_goes_to_the_next_run_and_the_line_says_why(shop, planner):
    factories.cd_stock([(shop["sku"], 40)], day=SNAPSHOT + dt.timedelta(days=1))  # newer snapshot: CD 40
    first = _run(shop)  # A 20, B 20
    assert _allocated(first) == {"Tienda A": 20, "Tienda B": 20}
    run_transition(run_id=first.run_id, action="approve", user=planner)
    second = _run(shop, target_woc=3.0)  # need 30 each, stock 20 each → 10 each; CD 40 − 40 = 0
    assert _allocated(second) == {"Tienda A": 0, "Tienda B": 0}
    run_transition(run_id=first.run_id, action="cancel", user=planner)
    third = _run(shop, target_woc=3.0)  # released: CD 40, stock 0 → 30 + 10
    assert _allocated(third) == {"Tienda A": 30, "Tienda B": 10}
    assert "reservadas" not in explanation_of(_line(third, "Tienda A"))


def test_approving_an_over_reserved_run_is_refused_naming_the_skus_and_nothing_changes(shop, planner):
    first, second = _run(shop), _run(shop)  # both drafts planned against the same 30 units
    assert _allocated(first) == _allocated(second) == {"Tienda A": 20, "Tienda B": 10}
    run_transition(run_id=first.run_id, action="approve", user=planner)
    events = AuditEvent.objects.count()
    with pytest.raises(TransitionRefused) as refused:
        run_transition(run_id=second.run_id, action="approve", user=planner)
    message = str(refused.value)
    assert "0001 (pide 30, libres 0)" in message
    assert "Nada cambió" in message
    second.refresh_from_db()
    assert second.state == "draft" and second.approved_at is None
    assert not StockCommitment.objects.filter(source=second.run_id).exists()
    assert AuditEvent.objects.count() == events
    assert _cd_free(shop) == 0


def test_a_newer_cd_snapshot_alone_no_longer_ends_the_reservation(shop, planner):
    """v3 (SPEC §5.7): a count after the approval may be a count before picking.
    An approved run that was not exported or shipped holds its units whatever
    the snapshots say (v2 ended it with the first CD snapshot after approval)."""
    run = _run(shop)
    run_transition(run_id=run.run_id, action="approve", user=planner)
    today = timezone.localdate()
    factories.cd_stock([(shop["sku"], 5)], day=today + dt.timedelta(days=1))
    assert _cd_free(shop) == 5 - 30
    assert _store_stock(shop) == {"Tienda A": 20, "Tienda B": 10}
    assert inventory_queries.source_commitments(run.run_id) == {"cd_units": 30, "store_units": 30}


def test_a_newer_store_snapshot_alone_no_longer_ends_what_was_promised_to_it(shop, planner):
    run = _run(shop)
    run_transition(run_id=run.run_id, action="approve", user=planner)
    factories.store_stock([(shop["a"], shop["sku"], 18)], day=timezone.localdate() + dt.timedelta(days=1))
    assert _store_stock(shop) == {"Tienda A": 18 + 20, "Tienda B": 10}  # the goods have not left the CD
    assert _cd_free(shop) == 0
    assert inventory_queries.source_commitments(run.run_id) == {"cd_units": 30, "store_units": 30}


def test_cancel_releases_at_once_and_the_next_run_equals_the_first(shop, planner):
    first = _run(shop)
    run_transition(run_id=first.run_id, action="approve", user=planner)
    result = run_transition(run_id=first.run_id, action="cancel", user=planner)
    assert result.details["released_units"] == 30
    assert _cd_free(shop) == 30
    assert _store_stock(shop) == {"Tienda A": 0, "Tienda B": 0}
    again = _run(shop)
    keys = ("store__name", "suggested_qty", "allocated_qty", "store_stock", "cd_stock", "cd_reserved", "in_transit")
    assert list(DistributionLine.objects.filter(run=again).order_by("id").values_list(*keys)) == list(
        DistributionLine.objects.filter(run=first).order_by("id").values_list(*keys)
    )


def test_close_releases_and_the_lifecycle_runs_in_order(shop, planner):
    run = _run(shop)
    for action, state in (("approve", "approved"), ("export", "exported"), ("close", "closed")):
        assert run_transition(run_id=run.run_id, action=action, user=planner).to_state == state
    run.refresh_from_db()
    assert run.state == "closed" and run.approved_at and run.exported_at and run.closed_at
    assert run.status == "done"  # the job status is untouched
    assert _cd_free(shop) == 30
    history = AuditEvent.objects.filter(action="lifecycle", object_id=str(run.pk)).order_by("id")
    assert [(e.details["from"], e.details["to"], e.user_id) for e in history] == [
        ("draft", "approved", planner.pk),
        ("approved", "exported", planner.pk),
        ("exported", "closed", planner.pk),
    ]


@pytest.mark.parametrize(
    ("steps", "action", "words"),
    [
        ([], "export", "solo se puede desde «Aprobado»"),
        ([], "close", "solo se puede desde «Exportado» o «Despachado»"),
        (["approve"], "approve", "está «Aprobado»"),
        (["approve", "export"], "cancel", "solo se puede desde «Borrador» o «Aprobado»"),
        (["cancel"], "approve", "está «Cancelado»"),
        (["approve", "export", "close"], "cancel", "está «Cerrado»"),
    ],
)
def test_illegal_transitions_are_refused_in_spanish_and_change_nothing(shop, planner, steps, action, words):
    run = _run(shop)
    for step in steps:
        run_transition(run_id=run.run_id, action=step, user=planner)
    run.refresh_from_db()
    before = (run.state, StockCommitment.objects.filter(is_open=True).count(), AuditEvent.objects.count())
    with pytest.raises(TransitionRefused) as refused:
        run_transition(run_id=run.run_id, action=action, user=planner)
    assert words in str(refused.value) and "Nada cambió" in str(refused.value)
    run.refresh_from_db()
    assert (run.state, StockCommitment.objects.filter(is_open=True).count(), AuditEvent.objects.count()) == before


def test_unknown_ids_and_actions_are_refused(shop, planner):
    with pytest.raises(TransitionRefused, match="no es un id de run"):
        run_transition(run_id="XX-1", action="approve", user=planner)
    with pytest.raises(TransitionRefused, match="No existe DR-20990101-0001"):
        run_transition(run_id="DR-20990101-0001", action="approve", user=planner)
    run = _run(shop)
    with pytest.raises(TransitionRefused, match="desconocida"):
        run_transition(run_id=run.run_id, action="deliver", user=planner)
    with pytest.raises(TransitionRefused, match="solo se puede desde «Exportado» o «Despachado»"):
        run_transition(run_id=run.run_id, action="ship", user=planner)
    with pytest.raises(TransitionRefused, match="Formato"):
        run_transition(run_id=run.run_id, action="export", user=planner, export_format="pdf")


def test_marking_exported_keeps_the_file_byte_for_byte(shop, planner):
    import hashlib

    from distribution.exports import run_order_bytes

    run = _run(shop)
    run_transition(run_id=run.run_id, action="approve", user=planner)
    result = run_transition(run_id=run.run_id, action="export", user=planner, export_format="csv")
    run.refresh_from_db()
    with run.export_file.open("rb") as handle:
        kept = handle.read()
    assert kept == run_order_bytes(run, "csv")  # the order, in Spanish labels (what the warehouse reads)
    assert kept.decode("utf-8-sig").startswith("Run;SKU;Producto;Categoría;Código de tienda;Tienda;")
    assert run.export_format == "csv"
    assert run.export_sha256 == hashlib.sha256(kept).hexdigest() == result.details["sha256"]
    assert b"0001" in kept and b"Tienda A" in kept


def test_store_health_reads_the_effective_store_stock(shop, planner):
    run = _run(shop)
    run_transition(run_id=run.run_id, action="approve", user=planner)
    frame = health_queries.store_stock_positive([shop["sku"].pk])
    assert sorted(frame["units"].tolist()) == [10, 20]
    assert health_queries.store_stock_positive([shop["sku"].pk], effective=False).empty
    # Stock Query (one SKU) shows the same stock.
    result = health_queries.stock_query(shop["sku"])
    assert result.cd_stock == 0  # 30 − 30 reserved
    assert dict(zip(result.stores["name"], result.stores["stock"], strict=True)) == {"Tienda A": 20, "Tienda B": 10}


def test_the_admin_refuses_to_delete_a_run_that_holds_stock(shop, planner, staff_client):
    """Deleting an approved run would drop (or orphan) its reservation: the next
    run could ship the same units twice. Cancel first, then it may go."""
    run = _run(shop)
    run_transition(run_id=run.run_id, action="approve", user=planner)
    page = reverse("admin:distribution_distributionrun_delete", args=[run.pk])
    bulk = reverse("admin:distribution_distributionrun_changelist")
    refused = f"{run.run_id} está «Aprobado» y reserva stock: cancélelo o ciérrelo antes de borrarlo."

    assert refused in staff_client.post(page, {"post": "yes"}).content.decode()
    answer = staff_client.post(bulk, {"action": "delete_selected", "_selected_action": [run.pk], "post": "yes"})
    assert refused in answer.content.decode()
    assert DistributionRun.objects.filter(pk=run.pk).exists()
    assert _cd_free(shop) == 30 - sum(_allocated(run).values())

    run_transition(run_id=run.run_id, action="cancel", user=planner)
    assert staff_client.post(page, {"post": "yes"}).status_code == 302
    assert not DistributionRun.objects.filter(pk=run.pk).exists()
    assert not StockCommitment.objects.filter(source=run.run_id, is_open=True).exists()
    assert _cd_free(shop) == 30
