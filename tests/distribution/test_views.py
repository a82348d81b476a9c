"""Pages: generator, runs, every tab of a run, compare, exports, roles."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from distribution.explain import explanation_of
from distribution.models import DistributionLine, DistributionRun
from fastdso.messages import msg_json
from fastdso.messages import render as message_text
from fastdso.models import AuditEvent, Job
from inventory.models import Store
from tests import factories
from tests.distribution.helpers import generate, request_file


@pytest.fixture
def data(db, week):
    centro, norte, sur = (factories.store(n) for n in ("Tienda Centro", "Tienda Norte", "Tienda Sur"))
    alfa = factories.product("00012345", "Consola Alfa", "Consolas")
    beta = factories.product("00012346", "Control Beta", "Accesorios")
    factories.weekly(
        [
            (alfa, centro, week(10), 5),
            (alfa, centro, week(11), 6),
            (alfa, norte, week(11), 2),
            (beta, sur, week(11), 4),
        ]
    )
    factories.cd_stock([(alfa, 120), (beta, 5)])
    factories.store_stock([(centro, alfa, 3)])
    return {"alfa": alfa, "beta": beta, "stores": (centro, norte, sur)}


REQUEST_ROWS = [("00012345",), ("00012346",), ("00099999", "Consola Nueva", "Consolas"), ("00088888", "Sin cat", "")]


@pytest.fixture
def run(data, tmp_path, planner) -> DistributionRun:
    return generate(request_file(tmp_path, REQUEST_ROWS), user=planner).run


def _upload(rows=REQUEST_ROWS, name="pedido.csv") -> SimpleUploadedFile:
    body = "sku,product_name,category\n" + "\n".join(",".join((*r, "", "")[:3]) for r in rows) + "\n"
    return SimpleUploadedFile(name, body.encode("utf-8"), content_type="text/csv")


def _form(**overrides):
    fields = {
        "model": "SMA2",
        "lookback_weeks": 12,
        "min_weeks": 1,
        "target_woc": 2.0,
        "cold_start_min_fill": 2,
        "cold_start_target_woc": 1.0,
        "cold_start_top_n": 10,
        "category_window_weeks": 12,
        "limit_by_cd": "on",
        "rules": "v2",  # v2 numbers (SPEC v3 changed the defaults)
        "request_file": _upload(),
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


# --- generator -------------------------------------------------------------------


def test_generator_form_shows_every_parameter_with_its_default(planner_client, data):
    page = planner_client.get(reverse("distribution:generate"))
    assert page.status_code == 200
    html = page.content.decode()
    for name, default in [
        ("lookback_weeks", 'value="12"'),
        ("min_weeks", 'value="1"'),
        ("target_woc", 'value="2,0"'),  # localised like the text around it (issue 20)
        ("cold_start_min_fill", 'value="2"'),
        ("cold_start_target_woc", 'value="1,0"'),
        ("cold_start_top_n", 'value="10"'),
        ("category_window_weeks", 'value="12"'),
    ]:
        assert f'name="{name}"' in html
        field_html = html[html.index(f'name="{name}"') - 200 : html.index(f'name="{name}"') + 200]
        assert default in field_html, name
    assert re.search(r'<input type="radio" name="model" value="SMA2"[^>]*checked', html)
    assert 'name="limit_by_cd"' in html and 'name="as_of"' in html
    # SPEC v2 §5.1: the new parameters with their defaults.
    assert re.search(r'<input type="radio" name="cold_start_basis" value="per_sku"[^>]*checked', html)
    # SPEC v3 §5.1: the rules (v3) and each rule's choice following them.
    assert re.search(r'<input type="radio" name="rules" value="v3"[^>]*checked', html)
    for name in ("cd_rule", "rate_rule", "pack_rule", "promo_rule", "launch_rule"):
        assert re.search(rf'<input type="radio" name="{name}" value=""[^>]*checked', html), name
    assert 'value="equal_cover"' in html and 'value="cover_capped"' in html and 'value="in_stock"' in html
    for name, default in [("max_pack_woc", 'value="8,0"'), ("launch_min_rate", 'value="0,1"')]:
        field_html = html[html.index(f'name="{name}"') - 200 : html.index(f'name="{name}"') + 200]
        assert default in field_html, name
    assert 'name="launch_weeks"' in html and 'name="new_store_weeks"' in html
    assert re.search(r'<input type="checkbox" name="round_to_pack"[^>]*checked', html)
    assert "Guía" in html and "Ejemplo" in html and "00012345" in html


def test_generating_from_the_form_starts_a_job_that_links_to_the_run(planner_client, planner, data):
    response = planner_client.post(reverse("distribution:generate"), _form(model="SMA1"))
    job = Job.objects.get(kind="distribution_run")
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE, message_text(job.message)
    run = DistributionRun.objects.get(job=job)
    assert run.model_name == "SMA1" and run.user == planner and run.request_file_name == "pedido.csv"
    assert job.result_url == run.get_absolute_url()
    job_page = planner_client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert run.run_id in job_page and run.get_absolute_url() in job_page


def test_generator_refuses_inconsistent_parameters_without_a_job(planner_client, data):
    response = planner_client.post(reverse("distribution:generate"), _form(min_weeks=20, lookback_weeks=12))
    assert response.status_code == 200
    assert "semanas mínimas" in response.content.decode()
    assert not Job.objects.exists()
    planner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = planner_client.post(reverse("distribution:generate"), _form(min_weeks=20, lookback_weeks=12))
    assert "Invalid parameters: the minimum weeks with sales cannot exceed the history weeks." in (
        english.content.decode()
    )
    assert not Job.objects.exists()


def test_empty_request_from_the_form_fails_the_job_and_creates_no_run(planner_client, data):
    planner_client.post(reverse("distribution:generate"), _form(request_file=_upload(rows=[])))
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert not DistributionRun.objects.exists()


def test_viewer_cannot_generate_or_export(viewer_client, run):
    assert viewer_client.get(reverse("distribution:generate")).status_code == 403
    assert viewer_client.post(reverse("distribution:generate"), _form()).status_code == 403
    assert viewer_client.get(reverse("distribution:run_export", args=[run.run_id, "csv"])).status_code == 403
    assert viewer_client.get(reverse("distribution:run_export", args=[run.run_id, "xlsx"])).status_code == 403
    # Reading is allowed.
    assert viewer_client.get(reverse("distribution:run_list")).status_code == 200
    assert viewer_client.get(reverse("distribution:run_lines", args=[run.run_id])).status_code == 200
    menu = viewer_client.get(reverse("distribution:run_list")).content.decode()
    assert reverse("distribution:generate") not in menu
    assert "Exportar" not in viewer_client.get(run.get_absolute_url()).content.decode()


def test_menu_has_the_distribution_group(planner_client, data):
    html = planner_client.get(reverse("home")).content.decode()
    for name in ("distribution:generate", "distribution:run_list", "distribution:compare"):
        assert f'href="{reverse(name)}"' in html


# --- runs and tabs ------------------------------------------------------------------


def test_runs_list_newest_first_paginated(planner_client, data, tmp_path, django_assert_max_num_queries):
    path = request_file(tmp_path, [("00012345",)])
    runs = [generate(path).run for _ in range(12)]
    with django_assert_max_num_queries(8):
        page = planner_client.get(reverse("distribution:run_list"), {"per_page": 10})
    html = page.content.decode()
    assert runs[-1].run_id in html and runs[2].run_id in html and runs[1].run_id not in html
    assert html.index(runs[-1].run_id) < html.index(runs[-2].run_id)
    assert "1–10 de 12" in html


def test_summary_tab(planner_client, run, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        page = planner_client.get(run.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert run.run_id in html
    assert "NO_CATEGORY" in html  # skipped by reason
    assert "Unidades CD a arranque en frío" in html
    assert 'data-chart="run-outcome"' in html and 'id="run-outcome"' in html
    assert run.request_sha256[:8] in html
    assert "00088888" in html  # the no-category warning names the SKU


def test_lines_tab_lists_explains_filters_and_sorts(planner_client, run, django_assert_max_num_queries):
    url = reverse("distribution:run_lines", args=[run.run_id])
    # +2: the stock-age warning (latest CD and store snapshot dates; issue 32).
    with django_assert_max_num_queries(10):
        page = planner_client.get(url)
    html = page.content.decode()
    assert "00012345" in html and "Tienda Centro" in html
    assert "(5+6)/2 = 5,5/sem × 2,0 sem = 11 − stock 3 = 8; CD por prioridad: 8 de 120 disponibles" in html
    assert "00088888" not in html  # exception rows live on the Exceptions tab

    only_sku = planner_client.get(url, {"sku": "12346"}).content.decode()
    assert "00012346" in only_sku and "00012345" not in only_sku
    # the store filter is exact (name in any case, or code); the search box matches parts
    only_store = planner_client.get(url, {"store": "tienda norte"}).content.decode()
    assert "Tienda Norte" in only_store and "Tienda Centro" not in only_store
    assert planner_client.get(url, {"store": "norte"}).context["table"].paginator.count == 0
    searched = planner_client.get(url, {"search": "norte"}).content.decode()
    assert "Tienda Norte" in searched and "Tienda Centro" not in searched
    cold = planner_client.get(url, {"model": "COLD_START_CATEGORY"}).content.decode()
    assert "00099999" in cold and "00012345" not in cold
    sma = planner_client.get(url, {"model": "SMA2"}).content.decode()
    assert "00099999" not in sma and "00012345" in sma
    by_allocated = planner_client.get(url, {"sort": "-allocated_qty"})
    assert by_allocated.status_code == 200
    table = by_allocated.context["table"]
    allocated = [row.record.allocated_qty for row in table.page.object_list]
    assert allocated == sorted(allocated, reverse=True)
    assert planner_client.get(url, {"per_page": 10}).context["table"].paginator.per_page == 10


def test_by_store_tab(planner_client, run, django_assert_max_num_queries):
    url = reverse("distribution:run_stores", args=[run.run_id])
    # +2: the stock-age warning (latest CD and store snapshot dates; issue 32).
    with django_assert_max_num_queries(10):
        page = planner_client.get(url)
    rows = {r.record["store__name"]: r.record for r in page.context["table"].page.object_list}
    centro = DistributionLine.objects.filter(run=run, store__name="Tienda Centro")
    assert rows["Tienda Centro"]["allocated"] == sum(line.allocated_qty for line in centro)
    assert rows["Tienda Centro"]["skus"] == centro.count()
    assert "Tienda Centro" in page.content.decode()
    filtered = planner_client.get(url, {"store": "Tienda Sur"}).context["table"]
    assert [r.record["store__name"] for r in filtered.page.object_list] == ["Tienda Sur"]
    assert planner_client.get(url, {"store": "sur"}).context["table"].paginator.count == 0
    searched = planner_client.get(url, {"search": "sur"}).context["table"]
    assert [r.record["store__name"] for r in searched.page.object_list] == ["Tienda Sur"]


def test_exceptions_tab_says_why_each_sku_got_nothing(planner_client, run, django_assert_max_num_queries):
    url = reverse("distribution:run_exceptions", args=[run.run_id])
    # +2: the stock-age warning (latest CD and store snapshot dates; issue 32).
    with django_assert_max_num_queries(12):
        page = planner_client.get(url)
    html = page.content.decode()
    assert "00088888" in html and "NO_CATEGORY" in html and "sin categoría" in html
    # 00099999 is a new Consolas SKU: it has cold-start lines but no CD stock.
    no_cd = [r.record["product__sku"] for r in page.context["no_cd_table"].page.object_list]
    assert no_cd == ["00099999"]


def test_unknown_run_is_404(planner_client, db):
    assert planner_client.get(reverse("distribution:run_detail", args=["DR-00000000-0000"])).status_code == 404


# --- exports --------------------------------------------------------------------------


CODES = [
    "run_id", "sku", "product_name", "category", "store_code", "store", "rate", "store_stock", "suggested_qty",
    "allocated_qty", "pack_size", "packs", "model_label", "model_name", "reason_label", "reason", "explanation",
]  # fmt: skip


def test_csv_export(planner_client, run):
    """The viewer's language decides: Spanish labels, Spanish-Excel CSV (;, decimal comma, BOM)."""
    Store.objects.filter(name="Tienda Centro").update(code="C-01")
    response = planner_client.get(reverse("distribution:run_export", args=[run.run_id, "csv"]))
    assert response.status_code == 200
    assert f'{run.run_id}.csv"' in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    frame = pd.read_csv(io.BytesIO(response.content), sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    assert list(frame.columns[:6]) == ["Run", "SKU", "Producto", "Categoría", "Código de tienda", "Tienda"]
    assert list(frame.columns[12:]) == ["Modelo", "Código de modelo", "Motivo", "Código de motivo", "Explicación"]
    centro = frame[(frame["SKU"] == "00012345") & (frame["Tienda"] == "Tienda Centro")].iloc[0]
    assert (centro["Run"], centro["Código de tienda"], centro["Sugerido"], centro["Asignado"]) == (
        run.run_id, "C-01", "8", "8"
    )  # fmt: skip
    assert (centro["Modelo"], centro["Código de modelo"]) == ("SMA2 (2 sem)", "SMA2")
    assert (centro["Motivo"], centro["Código de motivo"]) == ("Por venta", "SALES_RATE")
    assert centro["Explicación"].startswith("SMA2") and centro["Venta semanal"] == "5,5"
    no_cat = frame[frame["SKU"] == "00088888"].iloc[0]
    assert (no_cat["Asignado"], no_cat["Código de motivo"], no_cat["Motivo"]) == ("0", "NO_CATEGORY", "Sin categoría")
    assert pd.isna(no_cat["Tienda"])
    assert AuditEvent.objects.filter(action="export", object_repr=run.run_id, details__format="csv").exists()


def test_csv_export_in_english_with_codes_and_standard_dialect(planner_client, run):
    url = reverse("distribution:run_export", args=[run.run_id, "csv"])
    planner_client.cookies["django_language"] = "en"
    english = planner_client.get(url)
    planner_client.cookies["django_language"] = "es"
    frame = pd.read_csv(io.BytesIO(english.content), encoding="utf-8-sig", dtype=str)  # comma, decimal point
    assert list(frame.columns[:3]) == ["Run", "SKU", "Product"]
    assert frame[frame["SKU"] == "00088888"]["Reason"].tolist() == ["No category"]
    codes = planner_client.get(url, {"headers": "codes", "csv": "standard"})
    frame = pd.read_csv(io.BytesIO(codes.content), encoding="utf-8-sig", dtype=str)
    assert list(frame.columns) == CODES
    assert planner_client.get(url, {"headers": "nope"}).status_code == 400
    order = planner_client.get(url, {"only": "order", "headers": "codes"})
    frame = pd.read_csv(io.BytesIO(order.content), sep=";", encoding="utf-8-sig", dtype=str)
    assert "0" not in set(frame["allocated_qty"]) and frame["store"].notna().all()


def test_xlsx_export_keeps_skus_as_text(planner_client, run):
    response = planner_client.get(reverse("distribution:run_export", args=[run.run_id, "xlsx"]), {"headers": "codes"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert book.sheetnames == ["datos", "parametros"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    header = [c.value for c in sheet[1]]
    assert header == CODES
    sku_cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert {c.value for c in sku_cells} == {"00012345", "00012346", "00099999", "00088888"}
    assert all(isinstance(c.value, str) and c.data_type == "s" and c.number_format == "@" for c in sku_cells)
    assert AuditEvent.objects.filter(action="export", details__format="xlsx").exists()


def test_unknown_export_format_is_404(planner_client, run):
    assert planner_client.get(reverse("distribution:run_export", args=[run.run_id, "pdf"])).status_code == 404


# --- compare -----------------------------------------------------------------------------


@pytest.fixture
def two_runs(data, tmp_path, week):
    path = request_file(tmp_path, [("00012345",), ("00012346",)])
    run_a = generate(path, model="SMA2").run
    run_b = generate(path, model="SMA1").run
    return run_a, run_b


def test_compare_two_runs_per_sku_and_store(planner_client, two_runs, django_assert_max_num_queries):
    run_a, run_b = two_runs
    # SMA2 vs SMA1: Centro 8 → 9 (6 × 2 − 3), Norte 2 → 4, Sur 4 (cd 5) → 5 (cd 5).
    with django_assert_max_num_queries(12):
        page = planner_client.get(reverse("distribution:compare"), {"a": run_a.run_id, "b": run_b.run_id})
    assert page.status_code == 200
    rows = {
        (r.record["product__sku"], r.record["store__name"]): (
            r.record["allocated_a"],
            r.record["allocated_b"],
            r.record["delta"],
        )
        for r in page.context["table"].page.object_list
    }
    assert rows == {
        ("00012345", "Tienda Centro"): (8, 9, 1),
        ("00012345", "Tienda Norte"): (2, 4, 2),
        ("00012346", "Tienda Sur"): (4, 5, 1),
    }
    totals = page.context["totals"]
    assert (totals["allocated_a"], totals["allocated_b"], totals["delta"]) == (14, 18, 4)
    html = page.content.decode()
    assert run_a.run_id in html and run_b.run_id in html and "+4" in html


def test_compare_shows_lines_present_in_only_one_run(planner_client, data, tmp_path):
    run_a = generate(request_file(tmp_path, [("00012345",)])).run
    run_b = generate(request_file(tmp_path, [("00012346",)])).run
    page = planner_client.get(reverse("distribution:compare"), {"a": run_a.run_id, "b": run_b.run_id})
    rows = {
        (r.record["product__sku"], r.record["store__name"]): r.record["delta"]
        for r in page.context["table"].page.object_list
    }
    assert rows == {("00012345", "Tienda Centro"): -8, ("00012345", "Tienda Norte"): -2, ("00012346", "Tienda Sur"): 4}
    only_changes = planner_client.get(
        reverse("distribution:compare"), {"a": run_a.run_id, "b": run_b.run_id, "only_changes": "on", "sku": "12346"}
    )
    assert [r.record["product__sku"] for r in only_changes.context["table"].page.object_list] == ["00012346"]
    assert only_changes.context["totals"]["allocated_b"] == 4


def test_compare_without_a_choice_just_shows_the_form(planner_client, two_runs):
    page = planner_client.get(reverse("distribution:compare"))
    assert page.status_code == 200
    html = page.content.decode()
    assert two_runs[0].run_id in html and "table" not in page.context
    # From a run page's "Comparar" link: that run is preselected as B, without errors.
    page = planner_client.get(reverse("distribution:compare"), {"b": two_runs[1].run_id})
    html = page.content.decode()
    assert re.search(rf'<option value="{two_runs[1].run_id}"[^>]*selected', html)
    assert "invalid-feedback" not in html and "table" not in page.context


def test_compare_exports(planner_client, viewer_client, two_runs):
    run_a, run_b = two_runs
    params = {"a": run_a.run_id, "b": run_b.run_id}
    response = planner_client.get(reverse("distribution:compare_export", args=["csv"]), params)
    # A Spanish viewer: the Spanish-Excel dialect (issue 32).
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == ["sku", "product_name", "store", "allocated_a", "allocated_b", "delta"]
    assert {(r["sku"], r["store"], r["delta"]) for r in rows} == {
        ("00012345", "Tienda Centro", "1"),
        ("00012345", "Tienda Norte", "2"),
        ("00012346", "Tienda Sur", "1"),
    }
    xlsx = planner_client.get(reverse("distribution:compare_export", args=["xlsx"]), params)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert {row[0].value for row in sheet.iter_rows(min_row=2)} == {"00012345", "00012346"}
    assert AuditEvent.objects.filter(action="export", details__compare_with=run_a.run_id).count() == 2
    assert viewer_client.get(reverse("distribution:compare_export", args=["csv"]), params).status_code == 403


# --- SPEC v2: new parameters from the form to the run page, per line, compare -------------


def test_new_parameters_go_from_the_form_to_the_run_and_its_page(planner_client, data):
    planner_client.post(
        reverse("distribution:generate"),
        _form(model="SMA1", cold_start_basis="category", cd_rule="fair_share", round_to_pack=None),
    )
    run = DistributionRun.objects.get()
    assert (run.params["cold_start_basis"], run.params["cd_rule"], run.params["round_to_pack"]) == (
        "category",
        "fair_share",
        False,
    )
    html = planner_client.get(run.get_absolute_url()).content.decode()
    for text in ("Base del arranque en frío", "categoría entera (category)", "Regla de reparto del CD",
                 "proporcional (fair_share)", "Redondear a cajas"):  # fmt: skip
        assert text in html, text


def test_a_cold_start_lines_rate_is_its_cat_rate_on_screen_and_in_exports(planner_client, data, tmp_path, week):
    # Consolas at Centro: 11 units / 12 weeks over 1 selling SKU = 0.917/week.
    run = generate(request_file(tmp_path, [("NEW", "Nueva", "Consolas")])).run
    line = DistributionLine.objects.get(run=run, store__name="Tienda Centro")
    assert line.rate == pytest.approx(11 / 12, abs=1e-6) and line.model_name == "COLD_START_CATEGORY"
    assert "0,917/sem por SKU (base por SKU)" in explanation_of(line)
    html = planner_client.get(reverse("distribution:run_lines", args=[run.run_id])).content.decode()
    assert "0,917" in html and "(cat.)" not in html
    body = planner_client.get(reverse("distribution:run_export", args=[run.run_id, "csv"])).content.decode("utf-8-sig")
    row = next(r for r in body.splitlines() if ";NEW;" in r and "Tienda Centro" in r)
    assert ";0,9167;" in row  # the Spanish-Excel dialect: decimal comma


def test_compare_shows_the_parameters_that_differ(planner_client, data, tmp_path):
    path = request_file(tmp_path, [("00012345",)])
    run_a = generate(path, model="SMA2").run
    run_b = generate(path, model="SMA2", cd_rule="fair_share", cold_start_basis="category").run
    html = planner_client.get(reverse("distribution:compare"), {"a": run_a.run_id, "b": run_b.run_id}).content.decode()
    table = html[html.index('id="param-differences"') : html.index("</dl>", html.index('id="param-differences"'))]
    assert "Regla de reparto del CD" in table and "proporcional (fair_share)" in table
    assert "Base del arranque en frío" in table
    assert "Modelo" not in table and "Semanas de historia" not in table
    same = planner_client.get(reverse("distribution:compare"), {"a": run_a.run_id, "b": run_a.run_id})
    assert "Los dos runs usaron los mismos parámetros." in same.content.decode()


@pytest.mark.parametrize(("language", "reason"), [("es", "(Sin categoría)"), ("en", "(No category)")])
def test_a_no_category_warning_names_the_reason_in_the_viewers_language(planner_client, language, reason):
    """The run stores the reason code; the page shows its label, never the raw code."""
    DistributionRun.objects.create(
        run_id="DR-20260301-0001",
        status=DistributionRun.Status.DONE,
        warnings=[msg_json("distribution.no_category", sku="00000009", reason="NO_CATEGORY")],
    )
    planner_client.cookies["django_language"] = language
    page = planner_client.get(reverse("distribution:run_detail", args=["DR-20260301-0001"])).content.decode()
    assert "SKU 00000009: " in page and reason in page
    assert "NO_CATEGORY" not in page


def test_marking_exported_downloads_the_kept_order(planner_client, run):
    """ "Marcar como exportado" comes back to the page with the kept file set to download;
    the file is the order (only lines with allocated units), in Spanish labels."""
    url = reverse("lifecycle_transition", args=[run.run_id])
    planner_client.post(url, {"action": "approve"})
    response = planner_client.post(url, {"action": "export", "export_format": "xlsx"})
    assert response.status_code == 302 and response["Location"].endswith("?download=1")
    page = planner_client.get(response["Location"]).content.decode()
    assert re.search(r'id="lifecycle-download"[^>]*data-autodownload', page)
    kept = planner_client.get(reverse("lifecycle_export", args=[run.run_id]))
    sheet = load_workbook(io.BytesIO(b"".join(kept.streaming_content))).worksheets[0]
    header = [c.value for c in sheet[1]]
    allocated = [row[header.index("Asignado")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert allocated and all(units > 0 for units in allocated)
    assert len(allocated) == DistributionLine.objects.filter(run=run, allocated_qty__gt=0).count()


def test_a_v3_run_counts_lines_by_model_and_reason_and_lists_pairs_a_pack_left_empty(
    planner_client, db, week, tmp_path
):
    """SPEC v3 §5.4a, §5.5: the summary counts lines by model and reason, and the
    Exceptions tab lists, with its store, the empty pair one pack would bury."""
    from inventory.models import Product

    fast, slow = factories.store("Tienda Rápida"), factories.store("Tienda Lenta")
    case = factories.product("00012347", "Caja 12", "Consolas")
    Product.objects.filter(pk=case.pk).update(pack_size=12)
    # Rápida sells 3 a week: 6 → one case of 12 ≤ 8 × 3. Lenta sold 1 unit: 0.5/week → 12 > 8 × 0.5.
    factories.weekly([(case, fast, week(10), 3), (case, fast, week(11), 3), (case, slow, week(10), 1)])
    factories.cd_stock([(case, 100)])
    run = generate(request_file(tmp_path, [("00012347",)]), rules="v3").run
    assert (run.summary["lines_by_model"], run.summary["pack_exceeds_pairs"]) == ({"SMA2": 1}, 1)
    assert run.summary["lines_by_reason"] == {"SALES_RATE": 1}
    summary = planner_client.get(run.get_absolute_url()).content.decode()
    assert "Líneas por modelo" in summary and "SMA2" in summary
    assert "Tiendas sin stock sin línea (caja sobre la cobertura)" in summary
    page = planner_client.get(reverse("distribution:run_exceptions", args=[run.run_id]))
    html = page.content.decode()
    assert "PACK_EXCEEDS_COVER" in html and "Tienda Lenta" in html and "una caja de 12 u supera" in html
    lines = planner_client.get(reverse("distribution:run_lines", args=[run.run_id])).content.decode()
    assert "Tienda Rápida" in lines and "Tienda Lenta" not in lines
