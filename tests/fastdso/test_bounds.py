"""Every date and number a user gives is bounded where it is parsed (issue 33
§6): forms, commands, job parameters, replay policies — and the as-of week
never overflows. Store.stock_date follows the snapshots that exist."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from distribution.engine import DistributionParams, ParamsError
from fastdso.bounds import OutOfRange, bounded_date, bounded_number, date_bounds
from fastdso.jobs import job_start
from fastdso.messages import render as message_text
from fastdso.models import Job
from inventory.jobs import CD_STOCK_IMPORT, STORE_STOCK_IMPORT
from inventory.models import CDStockSnapshot, StoreStockSnapshot
from replay.engine import PolicyError, policy_parse
from sales.queries import IncompleteWeek, resolve_as_of_week
from tests import factories


def test_bounded_date_and_number():
    low, high = date_bounds()
    assert low == dt.date(2000, 1, 1) and high == dt.date.today() + dt.timedelta(days=7)
    assert bounded_date("2026-03-08", "date") == dt.date(2026, 3, 8) and bounded_date("", "date") is None
    for day in ("2173-10-14", "1900-01-01", "9999-12-31", high + dt.timedelta(days=1)):
        with pytest.raises(OutOfRange, match="date"):
            bounded_date(day, "date")
    with pytest.raises(ValueError, match="as_of"):
        bounded_date("31/31/2026", "as_of")
    assert bounded_number(3, "weeks", low=1, high=104) == 3
    for bad in (1e308, float("inf"), float("nan"), 0, "3"):
        with pytest.raises(OutOfRange, match="weeks"):
            bounded_number(bad, "weeks", low=1, high=104)


def test_as_of_9999_is_refused_not_an_overflow(db):
    with pytest.raises(IncompleteWeek, match="as_of"):
        resolve_as_of_week(dt.date(9999, 12, 31))
    with pytest.raises(IncompleteWeek, match="as_of"):
        resolve_as_of_week(dt.date(1, 1, 1))


@pytest.mark.parametrize(
    ("key", "value"),
    [("lookback_weeks", 10**9), ("target_woc", 1e308), ("target_woc", float("inf")), ("cold_start_top_n", 10**6)],
)
def test_distribution_params_name_the_number_out_of_range(key, value):
    with pytest.raises(ParamsError, match=key):
        DistributionParams(**{key: value})
    with pytest.raises(PolicyError, match=key):
        policy_parse(f"alto:{key}={value}")


@pytest.mark.parametrize("kind", [CD_STOCK_IMPORT, STORE_STOCK_IMPORT])
@pytest.mark.parametrize("day", ["2173-10-14", "1900-01-01"])
def test_a_stock_job_dated_out_of_range_fails_cleanly_and_writes_nothing(db, tmp_path, planner, kind, day):
    path = tmp_path / "stock.csv"
    path.write_text("sku,store,quantity\n00012345,Tienda Centro,4\n")
    job = job_start(kind=kind, user=planner, path=path, params={"date": day}, sync=True)
    assert (
        job.status == Job.Status.FAILED
        and "fuera de rango" in message_text(job.message)
        and "date" in message_text(job.message)
    )
    assert not CDStockSnapshot.objects.exists() and not StoreStockSnapshot.objects.exists()


@pytest.mark.parametrize("command", ["import_cd_stock", "import_store_stock"])
def test_the_stock_commands_refuse_a_date_out_of_range(db, tmp_path, command):
    path = tmp_path / "stock.csv"
    path.write_text("sku,store,quantity\n00012345,Tienda Centro,4\n")
    with pytest.raises(CommandError, match="--date"):
        call_command(command, str(path), "--date", "2173-10-14", stdout=io.StringIO())
    assert not Job.objects.exists()


def test_the_planners_commands_refuse_an_as_of_or_a_number_out_of_range(db, tmp_path):
    request = tmp_path / "pedido.csv"
    request.write_text("sku\n00012345\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="--as-of"):
        call_command("generate_distribution", str(request), "--as-of", "9999-12-31", stdout=out)
    with pytest.raises(CommandError, match="target_woc"):
        call_command("generate_distribution", str(request), "--target-woc", "1e308", stdout=out)
    with pytest.raises(CommandError, match="--as-of"):
        call_command("replay", "--skus", str(request), "--as-of", "9999-12-31", stdout=out)
    with pytest.raises(CommandError, match="lookback_weeks"):
        call_command("replay", "--skus", str(request), "--policy", "a:lookback_weeks=1e9", stdout=out)
    with pytest.raises(CommandError, match="--as-of"):
        call_command("forecast_purchase", "--category", "X", "--as-of", "9999-12-31", stdout=out)
    factories.product("00012345", "Consola", "X")
    with pytest.raises(CommandError, match="weeks"):
        call_command(
            "forecast_purchase", "--category", "X", "--as-of", "2026-03-02", "--weeks", "1000000000", stdout=out
        )
    with pytest.raises(CommandError, match="--as-of"):
        call_command(
            "redistribute",
            "--mode",
            "auto",
            "--destination",
            "all",
            "--category",
            "X",
            "--as-of",
            "9999-12-31",
            stdout=out,
        )


def test_the_web_forms_refuse_dates_out_of_range(planner_client, db):
    response = planner_client.post(
        reverse("inventory:cd_stock_upload"),
        {"file": io.BytesIO(b"sku,quantity\n1,2\n"), "snapshot_date": "2173-10-14"},
    )
    assert response.status_code == 200 and "fuera de rango" in response.content.decode()
    assert not Job.objects.exists()


def test_store_stock_date_follows_the_snapshots_that_exist(db, admin_client):
    store = factories.store("Tienda Centro")
    product = factories.product("00012345", "Consola", "Consolas")
    old, new = dt.date(2026, 3, 1), dt.date(2026, 3, 8)
    StoreStockSnapshot.objects.bulk_create(
        [
            StoreStockSnapshot(store=store, product=product, units=4, snapshot_date=old),
            StoreStockSnapshot(store=store, product=product, units=9, snapshot_date=new),
        ]
    )
    store.stock_date = new
    store.save()
    latest = StoreStockSnapshot.objects.get(snapshot_date=new)
    response = admin_client.post(
        reverse("admin:inventory_storestocksnapshot_delete", args=[latest.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.stock_date == old
    response = admin_client.post(
        reverse("admin:inventory_storestocksnapshot_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [s.pk for s in StoreStockSnapshot.objects.all()],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.stock_date is None
