"""The API drives the same jobs and services as the web: upload → job → run →
lines, plans, forecasts, stock; bad input answers 400/404 as JSON, never 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from distribution.models import DistributionRun
from fastdso.models import AuditEvent, Job
from inventory.models import CDStockSnapshot, Product
from redistribution.models import TransferPlan
from sales.models import SalesWeeklyAgg


def csv(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


REQUEST = "sku,product_name,category\n00012345,,\n00012346,,\n00088888,Sin categoria,\n"


def test_upload_job_run_lines_round_trip(planner_api, planner, db, week):
    # 1. products and macro sales, each an upload answering 202 with its job
    products = planner_api.post(
        "/api/v1/uploads/products/",
        {"file": csv("productos.csv", "sku,product_name,category\n00012345,Consola Alfa,Consolas\n")},
    )
    assert products.status_code == 202, products.json()
    assert products["Location"] == products.json()["url"] == f"/api/v1/jobs/{products.json()['id']}/"
    monday = week(10)
    sales_lines = [f"00012345,Tienda Centro,{monday + dt.timedelta(days=d):%Y-%m-%d},1" for d in range(14)]
    sales = planner_api.post(
        "/api/v1/uploads/macro_sales/",
        {
            "file": csv("ventas.csv", "sku,store,date,quantity\n" + "\n".join(sales_lines) + "\n"),
            "mode": "append_range",
        },
    )
    assert sales.status_code == 202
    assert SalesWeeklyAgg.objects.filter(product__sku="00012345").count() == 2
    cd = planner_api.post(
        "/api/v1/uploads/cd_stock/", {"file": csv("cd.csv", "sku,quantity\n00012345,100\n"), "date": "2026-03-30"}
    )
    assert cd.status_code == 202
    assert CDStockSnapshot.objects.get().snapshot_date == dt.date(2026, 3, 30)

    # 2. poll the job: done, with the web's summary
    job = planner_api.get(sales["Location"]).json()
    assert job["status"] == "done" and job["kind"] == "macro_sales_import" and job["errors"] == []
    assert job["counts"]["rows_read"] == 14
    assert any(item["label"] for item in job["summary"])

    # 3. generate a run: 7 units a week, SMA2 → rate 7, target 2 weeks → 14
    created = planner_api.post("/api/v1/runs/", {"file": csv("pedido.csv", "sku\n00012345\n"), "model": "SMA2"})
    assert created.status_code == 202, created.json()
    run_job = planner_api.get(created["Location"]).json()
    assert run_job["status"] == "done"
    run = DistributionRun.objects.get()
    assert run_job["result"] == {"type": "run", "id": run.run_id, "url": f"/api/v1/runs/{run.run_id}/"}
    assert run.user == planner and run.params["model"] == "SMA2"

    # 4. the run and its lines
    detail = planner_api.get(run_job["result"]["url"]).json()
    assert detail["run_id"] == run.run_id and detail["params"]["target_woc"] == 2.0
    assert detail["total_allocated"] == 14
    lines = planner_api.get(detail["lines_url"]).json()
    assert lines["count"] == 1
    (line,) = lines["results"]
    assert (line["sku"], line["store"], line["suggested_qty"], line["allocated_qty"]) == (
        "00012345",
        "Tienda Centro",
        14,
        14,
    )
    assert line["model_name"] == "SMA2" and line["rate"] == 7.0
    # audited like the web: the uploads and the run, by the token's user
    actions = list(AuditEvent.objects.filter(user=planner).values_list("action", flat=True))
    assert actions.count("upload") == 3 and "run" in actions


def test_run_parameters_reach_the_run_and_defaults_fill_the_rest(planner_api, data):
    response = planner_api.post(
        "/api/v1/runs/",
        {"file": csv("pedido.csv", REQUEST), "model": "SMA1", "target_woc": "3", "limit_by_cd": "false"},
    )
    assert response.status_code == 202
    run = DistributionRun.objects.get()
    assert run.params["model"] == "SMA1" and run.params["target_woc"] == 3.0
    assert run.params["limit_by_cd"] is False and run.params["lookback_weeks"] == 12  # the form's default


def test_run_lines_filters_and_exception_rows(planner_api, data, planner):
    planner_api.post("/api/v1/runs/", {"file": csv("pedido.csv", REQUEST)})
    run = DistributionRun.objects.get()
    url = f"/api/v1/runs/{run.run_id}/lines/"
    every = planner_api.get(url).json()
    # alfa → Centro 8 (rate 5.5 × 2 − 3), Norte 2; beta → Sur 4; 00088888 has no category: an exception row
    got = {(r["sku"], r["store"]): r["allocated_qty"] for r in every["results"]}
    assert got == {("00012345", "Tienda Centro"): 8, ("00012345", "Tienda Norte"): 2, ("00012346", "Tienda Sur"): 4,
                   ("00088888", None): 0}  # fmt: skip
    assert [r["reason"] for r in every["results"] if r["store"] is None] == ["NO_CATEGORY"]
    assert {r["sku"] for r in planner_api.get(url, {"sku": "2346"}).json()["results"]} == {"00012346"}
    # a store filter is exact (name in any case, or code); partial matches are the search's
    assert planner_api.get(url, {"store": "norte"}).json()["count"] == 0
    assert {r["store"] for r in planner_api.get(url, {"store": " tienda  NORTE"}).json()["results"]} == {"Tienda Norte"}
    assert {r["store"] for r in planner_api.get(url, {"search": "norte"}).json()["results"]} == {"Tienda Norte"}
    assert planner_api.get(url, {"reason": "NO_CATEGORY"}).json()["count"] == 1
    assert planner_api.get(url, {"model": "SMA2"}).json()["count"] == 3
    assert planner_api.get(url, {"model": "SMA9"}).status_code == 400  # not a model: the field is named
    assert "model" in planner_api.get(url, {"model": "SMA9"}).json()


def test_runs_list_filters_by_status_and_date(planner_api, data):
    planner_api.post("/api/v1/runs/", {"file": csv("pedido.csv", REQUEST)})
    run = DistributionRun.objects.get()
    today = timezone.localdate(run.created_at).isoformat()  # the filter reads dates in local time
    assert [r["run_id"] for r in planner_api.get("/api/v1/runs/", {"status": "done"}).json()["results"]] == [run.run_id]
    assert planner_api.get("/api/v1/runs/", {"status": "failed"}).json()["count"] == 0
    assert planner_api.get("/api/v1/runs/", {"created_after": today}).json()["count"] == 1
    assert planner_api.get("/api/v1/runs/", {"created_before": "2000-01-01"}).json()["count"] == 0
    bad = planner_api.get("/api/v1/runs/", {"status": "nope", "date": "yesterday"})
    assert bad.status_code == 400 and {"status", "date"} <= set(bad.json())


def test_bad_file_answers_the_row_errors_as_json(planner_api, db):
    body = "sku,store,date,quantity\n0001,Tienda A,2026-02-30,3\n0002,Tienda A,2026-03-02,abc\n"
    response = planner_api.post("/api/v1/uploads/macro_sales/", {"file": csv("malo.csv", body)})
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "failed" and job["error_count"] == 2
    assert [(e["row"], e["column"], e["value"]) for e in job["errors"]] == [
        (2, "date", "2026-02-30"),
        (3, "quantity", "abc"),
    ]
    assert job["errors_url"] == f"/api/v1/jobs/{job['id']}/errors/"
    every = planner_api.get(job["errors_url"]).json()
    assert every["count"] == 2 and every["results"] == job["errors"]
    assert not SalesWeeklyAgg.objects.exists() and not Product.objects.exists()


def test_the_job_lists_100_errors_and_links_to_all(planner_api, db):
    body = "sku,quantity\n" + "".join(f"{i:05d},x\n" for i in range(150))
    job = planner_api.post("/api/v1/uploads/cd_stock/", {"file": csv("cd.csv", body)}).json()
    assert job["status"] == "failed" and job["error_count"] == 150 and len(job["errors"]) == 100
    page = planner_api.get(job["errors_url"], {"page": 2}).json()
    assert page["count"] == 150 and len(page["results"]) == 50 and page["results"][-1]["value"] == "x"


def test_bad_parameters_answer_400_naming_the_field(planner_api, data):
    cases = [
        ("/api/v1/runs/", {"file": csv("p.csv", REQUEST), "model": "SMA7"}, "model"),
        ("/api/v1/runs/", {"file": csv("p.csv", REQUEST), "lookback_weeks": "0"}, "lookback_weeks"),
        ("/api/v1/runs/", {"model": "SMA2"}, "file"),
        ("/api/v1/runs/", {"file": csv("p.csv", REQUEST), "target_wok": "3"}, "target_wok"),
        ("/api/v1/uploads/cd_stock/", {"file": csv("cd.csv", "sku,quantity\n1,1\n"), "date": "31/12/2026"}, "date"),
        ("/api/v1/uploads/macro_sales/", {"file": csv("v.csv", "x"), "mode": "merge"}, "mode"),
        ("/api/v1/plans/", {"scope": "category", "destination_kind": "all"}, "category"),
        ("/api/v1/plans/", {"scope": "category", "category": "Consolas", "destination": 999999}, "destination"),
        ("/api/v1/plans/", {"scope": "category", "category": "Consolas", "destination": 2**64}, "destination"),
        ("/api/v1/plans/", {"scope": "skus", "destination_kind": "all"}, "file"),
        ("/api/v1/forecast/", {"input": "text", "skus_text": ""}, "skus_text"),
    ]
    for url, payload, field in cases:
        response = planner_api.post(url, payload)
        assert response.status_code == 400, (url, payload, response.content)
        assert field in response.json(), (url, response.json())
    assert not DistributionRun.objects.exists() and not Job.objects.exists()


def test_unknown_ids_answer_404_json(planner_api, db):
    for url in (
        "/api/v1/jobs/999999/",
        "/api/v1/jobs/999999/errors/",
        "/api/v1/runs/DR-19990101-0001/",
        "/api/v1/runs/DR-19990101-0001/lines/",
        "/api/v1/plans/TP-19990101-0001/",
        "/api/v1/plans/TP-19990101-0001/lines/",
        "/api/v1/stock/00000000/",
        "/api/v1/forecast/999999/",
        "/api/v1/forecast/999999/lines/",
        "/api/v1/jobs/99999999999999999999999/",
        "/api/v1/forecast/99999999999999999999999/lines/",
    ):
        response = planner_api.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json" and "detail" in response.json()
    # A NUL in the path is refused before any view (HostileParametersMiddleware): 400, never 500.
    for url in ("/api/v1/stock/%00/", "/api/v1/runs/%00/"):
        assert planner_api.get(url).status_code == 400, url


def test_pagination_limits(planner_api, data, planner):
    planner_api.post("/api/v1/runs/", {"file": csv("pedido.csv", REQUEST)})
    run = DistributionRun.objects.get()
    url = f"/api/v1/runs/{run.run_id}/lines/"
    first = planner_api.get(url, {"page_size": 3}).json()
    assert first["count"] == 4 and len(first["results"]) == 3 and first["next"] and first["previous"] is None
    second = planner_api.get(url, {"page_size": 3, "page": 2}).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})
    assert planner_api.get(url, {"page": 3, "page_size": 3}).status_code == 404
    assert planner_api.get(url, {"page": "x"}).status_code == 404


def test_page_size_is_capped_at_1000(planner_api, db):
    body = "sku,quantity\n" + "".join(f"{i:05d},x\n" for i in range(1200))
    job = planner_api.post("/api/v1/uploads/cd_stock/", {"file": csv("cd.csv", body)}).json()
    assert job["error_count"] == 1200
    page = planner_api.get(job["errors_url"], {"page_size": 5000}).json()
    assert len(page["results"]) == 1000 and page["next"]
    assert len(planner_api.get(job["errors_url"]).json()["results"]) == 100  # the default


def test_stock_of_a_sku(planner_api, data):
    response = planner_api.get("/api/v1/stock/00012345/")
    assert response.status_code == 200
    body = response.json()
    assert body["sku"] == "00012345" and body["cd_stock"] == 120 and body["cd_stock_date"] == "2026-03-01"
    stores = {s["store"]: s for s in body["stores"]}
    assert set(stores) == {"Tienda Centro", "Tienda Norte", "Tienda Sur"}
    assert stores["Tienda Centro"]["stock"] == 3 and stores["Tienda Norte"]["stock"] == 0
    weeks = {w["week_start"]: w["units"] for w in body["weekly_sales"]}
    assert weeks["2026-03-16"] == 5 and weeks["2026-03-23"] == 8
    assert planner_api.get("/api/v1/stock/12345/").status_code == 404  # SKUs are text


def test_plan_by_category_to_all_stores(planner_api, planner, data, week):
    response = planner_api.post(
        "/api/v1/plans/", {"mode": "auto", "scope": "category", "category": "Consolas", "destination_kind": "all"}
    )
    assert response.status_code == 202, response.json()
    job = response.json()
    assert job["status"] == "done", job
    plan = TransferPlan.objects.get()
    assert job["result"]["id"] == plan.plan_id and plan.user == planner and plan.category == "Consolas"
    detail = planner_api.get(f"/api/v1/plans/{plan.plan_id}/").json()
    assert detail["params"] and detail["line_count"] == plan.line_count
    lines = planner_api.get(detail["lines_url"]).json()
    assert lines["count"] == plan.line_count
    assert [p["plan_id"] for p in planner_api.get("/api/v1/plans/", {"scope": "category"}).json()["results"]] == [
        plan.plan_id
    ]


def test_forecast_from_pasted_skus(planner_api, data):
    response = planner_api.post(
        "/api/v1/forecast/", {"input": "text", "skus_text": "00012345\n00012346", "weeks": 4, "coverage_weeks": 2}
    )
    assert response.status_code == 202, response.json()
    job = response.json()
    assert job["status"] == "done" and job["result"]["type"] == "forecast"
    forecast = planner_api.get(job["result"]["url"]).json()
    assert forecast["sku_count"] == 2 and forecast["weeks"] == 4 and forecast["coverage_weeks"] == 2
    lines = planner_api.get(job["result"]["url"] + "lines/").json()
    assert [line["sku"] for line in lines["results"]] == ["00012345", "00012346"]
    # v3: seasonal by default, with the method evaluation beside it.
    assert forecast["method"] == "seasonal" and "end_of_life" in lines["results"][0]
    evaluation = planner_api.get(forecast["evaluation_url"]).json()
    assert evaluation["method"] == "seasonal" and evaluation["horizon"] == 2
    methods = {row["method"] for row in evaluation["rows"] if (row["level"], row["key"]) == ("sku", "ALL")}
    assert methods == {"naive", "seasonal_naive", "sma", "seasonal"}
    assert planner_api.get("/api/v1/forecast/999999/evaluation/").status_code == 404


@pytest.mark.parametrize("rate,allowed", [("3/min", 3)])
def test_throttling_per_token(planner_api, planner, settings, rate, allowed, db):
    from tests.api.conftest import token_client

    settings.FASTDSO_API_THROTTLE_RATE = rate
    codes = [planner_api.get("/api/v1/runs/").status_code for _ in range(allowed + 1)]
    assert codes == [200] * allowed + [429]
    throttled = planner_api.get("/api/v1/runs/")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0 and "detail" in throttled.json()
    # the budget is the token's: another token of the same user has its own
    assert token_client(planner).get("/api/v1/runs/").status_code == 200


def test_unknown_api_urls_are_json_404_after_authentication(planner_api, client, db):
    for url in ("/api/v1/jobs/-1/", "/api/v1/nothing/", "/api/v2/runs/"):
        assert planner_api.get(url).status_code == 404, url
        assert planner_api.post(url).json()["detail"], url
        assert client.get(url).status_code == 401, url  # anonymous: not even whether it exists


def test_a_running_job_shows_its_live_progress(planner_api, planner):
    from fastdso.jobs import JobProgress

    job = Job.objects.create(kind="macro_sales_import", status=Job.Status.RUNNING, user=planner)
    JobProgress(job.pk)(40, "Leyendo", rows_read=1200)
    body = planner_api.get(f"/api/v1/jobs/{job.pk}/").json()
    assert (body["status"], body["progress"], body["stage"], body["counts"]) == (
        "running",
        40,
        "Leyendo",
        {"rows_read": 1200},
    )
    assert body["result"] is None and body["errors_url"] is None
