"""The forecast page (planner and viewer), its results and both exports."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from fastdso.messages import render as message_text
from fastdso.models import AuditEvent, Job
from forecast.models import ForecastLine, ForecastRun
from tests import factories

HOME = reverse("forecast:home")


@pytest.fixture
def data(db, week):
    """Two stores; a selling SKU, a new SKU of a selling category, a bare SKU."""
    a, b = factories.store("Tienda Centro", "001"), factories.store("Tienda Norte", "002")
    sold = factories.product("00012345", "Consola Alfa", "Consolas")
    peer = factories.product("00012346", "Consola Beta", "Consolas")
    new = factories.product("00099999", "Consola Nueva", "Consolas")
    bare = factories.product("00077777", "Sin categoría")
    factories.weekly(
        [(sold, a, week(i), 3) for i in range(4)] + [(sold, b, week(3), 4)] + [(peer, b, week(i), 1) for i in range(4)]
    )
    factories.cd_stock([(sold, 2), (new, 1)])
    factories.store_stock([(a, sold, 1), (b, sold, 2)])
    return {"stores": (a, b), "sold": sold, "peer": peer, "new": new, "bare": bare}


def post_text(client, skus: str, **extra):
    payload = {
        "input": "text",
        "skus_text": skus,
        "method": "sma",
        "weeks": 4,
        "coverage_weeks": 4,
        "backtest_weeks": 2,
    }
    payload.update(extra)
    return client.post(HOME, payload)


def test_menu_entry_and_form_for_planners(planner_client, data):
    response = planner_client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pronóstico de compra" in html
    assert 'name="skus_text"' in html
    assert "Tienda Norte" in html  # store multi-select
    assert "Consolas" in html  # category choices


def test_viewer_sees_runs_but_no_form_and_cannot_post(viewer_client, planner_client, data):
    post_text(planner_client, "00012345")
    response = viewer_client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="skus_text"' not in html
    assert "Solo los planificadores" in html
    run = ForecastRun.objects.get()
    assert run.get_absolute_url() in html
    assert post_text(viewer_client, "00012345").status_code == 403
    assert ForecastRun.objects.count() == 1


def test_pasted_skus_compute_and_show_the_run(planner_client, data, week):
    response = post_text(planner_client, "00012345\n00099999, 00077777")
    run = ForecastRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    got = {line.sku: line for line in run.lines.all()}
    # 00012345: 12 units at Centro + 4 at Norte over 4 weeks = 4 a week; × 4 = 16 − CD 2 − stores 3 = 11.
    assert got["00012345"].source == "MACRO"
    assert got["00012345"].purchase_qty == 11
    # 00099999: Consolas sold 16 + 4 units by 2 SKUs over 4 weeks = 2.5 a week; × 4 = 10 − CD 1 = 9.
    assert got["00099999"].source == "CATEGORY_PROXY"
    assert got["00099999"].purchase_qty == 9
    assert got["00077777"].source == "NO_HISTORY"
    assert run.as_of_week == week(3)
    assert AuditEvent.objects.filter(action="run").count() == 1

    page = planner_client.get(run.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "00012345" in html and "00099999" in html
    assert "Sin historial macro" in html
    assert "Proxy de categoría" in html
    assert 'data-chart="fc-spark-' in html
    assert "Exportar XLSX" in html
    assert "Backtest de métodos" in html


def test_store_selection_from_the_form(planner_client, data):
    a, _ = data["stores"]
    post_text(planner_client, "00012345", stores=[a.pk])
    line = ForecastLine.objects.get(sku="00012345")
    assert line.window_units == 12  # Centro only
    assert line.store_stock == 1
    assert line.purchase_qty == 12 - 2 - 1


def test_sku_file_upload_runs_as_a_job(planner_client, data):
    upload = SimpleUploadedFile("lista.csv", b"sku;category\n00012345;\n00088888;Consolas\n", content_type="text/csv")
    response = planner_client.post(
        HOME, {"input": "file", "file": upload, "method": "sma", "weeks": 4, "coverage_weeks": 4, "backtest_weeks": 0}
    )
    job = Job.objects.get(kind="purchase_forecast")
    run = ForecastRun.objects.get()
    assert job.status == Job.Status.DONE
    assert job.result_url == run.get_absolute_url()
    assert response["Location"] in (run.get_absolute_url(), reverse("job_detail", args=[job.pk]))
    got = {line.sku: line for line in run.lines.all()}
    assert got["00088888"].source == "CATEGORY_PROXY"  # not in the catalogue: the file's category
    assert got["00012345"].source == "MACRO"
    assert any("en el catálogo" in message_text(w) for w in job.warnings)
    assert run.input_name == "lista.csv"


def test_bad_sku_file_fails_the_job_and_writes_nothing(planner_client, data):
    upload = SimpleUploadedFile("mal.csv", b"codigo\n00012345\n", content_type="text/csv")
    response = planner_client.post(
        HOME, {"input": "file", "file": upload, "method": "sma", "weeks": 4, "coverage_weeks": 4, "backtest_weeks": 0}
    )
    job = Job.objects.get(kind="purchase_forecast")
    assert job.status == Job.Status.FAILED
    assert "sku" in message_text(job.message)
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert not ForecastRun.objects.exists()


def test_category_input(planner_client, data):
    planner_client.post(
        HOME,
        {
            "input": "category",
            "category": "Consolas",
            "method": "sma",
            "weeks": 4,
            "coverage_weeks": 4,
            "backtest_weeks": 0,
        },
    )
    run = ForecastRun.objects.get()
    assert run.scope == ForecastRun.Scope.CATEGORY
    assert sorted(run.lines.values_list("sku", flat=True)) == ["00012345", "00012346", "00099999"]


def test_invalid_form_says_why(planner_client, data):
    response = post_text(planner_client, " , \n")
    assert response.status_code == 400
    assert "Pegue al menos un SKU" in response.content.decode()
    response = planner_client.post(HOME, {"input": "category", "category": "", "weeks": 0, "coverage_weeks": 4})
    assert response.status_code == 400
    assert not ForecastRun.objects.exists()


def test_no_macro_sales_loaded(planner_client, db):
    factories.product("1")
    response = post_text(planner_client, "1")
    assert response.status_code == 400
    assert "No hay ventas macro cargadas" in response.content.decode()


@pytest.fixture
def big_run(planner_client, data, week):
    a, _ = data["stores"]
    items = [factories.product(f"{i:08d}", f"Producto {i}", "Audio") for i in range(1, 31)]
    factories.weekly([(p, a, week(3), i) for i, p in enumerate(items, start=1)])
    post_text(planner_client, "\n".join(p.sku for p in items))
    return ForecastRun.objects.get()


def test_results_are_paginated_with_sparklines_only_for_the_page(viewer_client, big_run, django_assert_max_num_queries):
    url = big_run.get_absolute_url()
    with django_assert_max_num_queries(10):
        viewer_client.get(url, {"per_page": 50})
    with django_assert_max_num_queries(10):
        response = viewer_client.get(url, {"per_page": 10})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-chart="fc-spark-') == 10
    assert "1–10 de 30" in html
    assert "Exportar XLSX" not in html  # viewers read only


def test_home_lists_runs_with_a_fixed_number_of_queries(viewer_client, big_run, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = viewer_client.get(HOME)
    assert response.status_code == 200
    assert big_run.get_absolute_url() in response.content.decode()


def test_results_sort_and_filter(viewer_client, big_run):
    url = big_run.get_absolute_url()
    table = viewer_client.get(url, {"sort": "-purchase_qty", "per_page": 10}).context["table"]
    quantities = [row.record.purchase_qty for row in table.page.object_list]
    assert quantities == sorted(quantities, reverse=True)
    assert quantities[0] == 30  # 30 units in 4 weeks → 7.5 a week × 4 = 30
    table = viewer_client.get(url, {"q": "00000003"}).context["table"]
    assert [row.record.sku for row in table.page.object_list] == ["00000003"]
    response = viewer_client.get(url, {"source": "NO_HISTORY"})
    assert response.context["totals"]["rows"] == 0


def test_totals_are_shown(viewer_client, big_run):
    response = viewer_client.get(big_run.get_absolute_url())
    totals = response.context["totals"]
    assert totals["rows"] == 30
    assert totals["purchase_qty"] == big_run.purchase_units
    assert totals["window_units"] == sum(range(1, 31))


def test_csv_export(planner_client, data):
    post_text(planner_client, "00012345\n00077777")
    run = ForecastRun.objects.get()
    response = planner_client.get(reverse("forecast:run_export", args=[run.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv"')
    # A Spanish viewer: `;` and decimal comma (issue 32), read back with pandas too.
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    frame = pd.read_csv(io.BytesIO(response.content), sep=";", decimal=",", encoding="utf-8-sig", dtype={"sku": str})
    assert frame["avg_weekly"].tolist()[0] == 4.0 and frame["sku"].tolist() == ["00012345", "00077777"]
    assert rows[0][:8] == [
        "sku",
        "product_name",
        "category",
        "avg_weekly",
        "cd_stock",
        "store_stock",
        "purchase_qty",
        "source",
    ]
    assert rows[1][:8] == ["00012345", "Consola Alfa", "Consolas", "4,0", "2", "3", "11", "MACRO"]
    assert rows[2][0] == "00077777"
    assert rows[2][7] == "NO_HISTORY"
    event = AuditEvent.objects.get(action="export")
    assert event.details == {"format": "csv", "rows": 2}


def test_xlsx_export_keeps_skus_as_text(planner_client, data):
    post_text(planner_client, "00012345\n00099999")
    run = ForecastRun.objects.get()
    response = planner_client.get(reverse("forecast:run_export", args=[run.pk, "xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:8] == [
        "sku",
        "product_name",
        "category",
        "avg_weekly",
        "cd_stock",
        "store_stock",
        "purchase_qty",
        "source",
    ]
    cell = sheet["A2"]
    assert cell.value == "00012345"
    assert cell.data_type == "s"
    assert cell.number_format == "@"
    assert sheet["G2"].value == 11
    assert sheet["H3"].value == "CATEGORY_PROXY"


def test_viewers_cannot_export(viewer_client, planner_client, data):
    post_text(planner_client, "00012345")
    run = ForecastRun.objects.get()
    assert viewer_client.get(reverse("forecast:run_export", args=[run.pk, "csv"])).status_code == 403
    assert planner_client.get(reverse("forecast:run_export", args=[run.pk, "pdf"])).status_code == 404


def test_small_lists_run_inline_big_ones_go_to_the_worker(planner_client, data, settings):
    settings.FASTDSO_JOBS_SYNC = False
    response = post_text(planner_client, "00012345")
    run = ForecastRun.objects.get()
    assert response["Location"] == run.get_absolute_url()  # computed during the request
    many = "\n".join(f"{i:08d}" for i in range(60))
    response = post_text(planner_client, many)
    job = Job.objects.filter(kind="purchase_forecast").latest("id")
    assert job.status == Job.Status.QUEUED  # the worker picks it up after commit
    assert job.params["skus"][:2] == ["00000000", "00000001"]
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert ForecastRun.objects.count() == 1


def test_seasonal_run_shows_the_method_evaluation_tab(planner_client, data, django_assert_max_num_queries):
    response = post_text(planner_client, "00012345\n00012346\n00099999", method="seasonal", weeks="")
    run = ForecastRun.objects.get()
    assert response.status_code == 302 and run.method == "seasonal" and run.weeks == 26
    with django_assert_max_num_queries(12):
        page = planner_client.get(run.get_absolute_url())
    html = page.content.decode()
    assert "Evaluación de métodos" in html
    evaluation = page.context["evaluation"]
    assert [m["method"] for m in evaluation["summary"]] == ["naive", "seasonal_naive", "sma", "seasonal"]
    # One category, one winner, shown with its label.
    (row,) = evaluation["categories"]
    assert row["category"] == "Consolas" and row["winner"] == run.evaluation["winners"]["Consolas"]
    assert "Ingenuo estacional" in html
