"""Redistribution pages: the form, the five cases the business named, plan tabs, lists, exports, roles."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from fastdso.models import AuditEvent, Job
from redistribution.models import TransferPlan
from tests import factories as f

FORM_URL = reverse("redistribution:plan_create")
HEADER_LIMIT = 8 * 1024


def form_data(**overrides: object) -> dict[str, object]:
    """The form as a planner leaves it by default, plus changes."""
    data: dict[str, object] = {
        "mode": "auto",
        "scope": "category",
        "category": "",
        "top_n": 20,
        "destination_kind": "one",
        "destination": "",
        "origin": "",
        "auto_pick_donors": "on",
        "system_decides": "on",
        "history_weeks": 8,
        "min_woc": 1,
        "target_woc": 2,
        "max_woc": 4,
        "max_retain_woc": 2,
        "min_store_stock": 1,
        "min_fill": 2,
        "sku_weight": 0.7,
        "max_rows": 2000,
        "max_units_per_sku_per_dest": 20,
        "max_units": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def upload(text: str, name: str = "skus.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def post_plan(client, **overrides) -> TransferPlan:
    response = client.post(FORM_URL, form_data(**overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = TransferPlan.objects.latest("id")
    assert response["Location"] == plan.get_absolute_url()
    return plan


def header_bytes(response) -> int:
    cookies = sum(len(c.output(header="")) + len("Set-Cookie: ") for c in response.cookies.values())
    return len(response.serialize_headers()) + cookies


@pytest.fixture
def shop(db, week):
    """Norte sells Consolas (00000001 2/wk, 00000002 1/wk) and Audio (00000003 3/wk); Centro sells
    1/wk of each and holds 40 of each; Sur sells nothing."""
    centro, norte, sur = f.store("Tienda Centro"), f.store("Tienda Norte"), f.store("Tienda Sur")
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


# --- the five cases the business named ---------------------------------------------


def test_case1_category_and_one_store_proposes_only_skus_of_that_category(shop, planner_client):
    plan = post_plan(planner_client, category="Consolas", destination=shop["norte"].pk)
    skus = set(plan.lines.values_list("product__sku", flat=True))
    assert skus == {"00000001", "00000002"}
    assert set(plan.lines.values_list("product__category", flat=True)) == {"Consolas"}
    assert set(plan.lines.values_list("destination_store", flat=True)) == {shop["norte"].pk}
    # The Audio SKU needed stock at Norte too: it was left out because of the category, not for lack of need.
    other = post_plan(planner_client, category="Audio", destination=shop["norte"].pk)
    assert set(other.lines.values_list("product__sku", flat=True)) == {"00000003"}


def test_case2_category_and_all_stores_serves_low_woc_destinations_first(db, week, planner_client):
    # One SKU alone in its category: blended demand = own demand. Donor gives 6 (stock 7, keeps 1).
    # Baja: 2/wk, stock 0 (WOC 0, urgent, needs 4). Alta: 5/wk, stock 6 (WOC 1.2, needs 4). Media: 3/wk, stock 4.
    donor, baja, alta, media = (f.store(n) for n in ("Donante", "Baja", "Alta", "Media"))
    sku = f.product("00000100", "Juego", "Videojuegos")
    f.weekly([(p, s, week(w), u) for w in range(8) for p, s, u in ((sku, baja, 2), (sku, alta, 5), (sku, media, 3))])
    f.store_stock([(donor, sku, 7), (alta, sku, 6), (media, sku, 4)])
    # The v2 rules (v3 would drop the 2-unit move to Alta: fewer than min_move_units 3).
    plan = post_plan(planner_client, category="Videojuegos", destination_kind="all", rules="v2")
    got = list(plan.lines.order_by("id").values_list("destination_store__name", "qty", "urgent"))
    assert got == [("Baja", 4, True), ("Alta", 2, False)]
    assert plan.summary["destinations_short"] == 2  # Alta still needs 2, Media 2


def test_case3_assisted_sku_list_without_qty_the_system_decides(shop, planner_client):
    plan = post_plan(
        planner_client,
        mode="manual",
        scope="skus",
        sku_file=upload("sku\n00000001\n00000002\n"),
        origin=shop["centro"].pk,
        auto_pick_donors=None,
        destination=shop["norte"].pk,
        rules="v2",  # v3 would not move the 2 units of 00000002 (fewer than min_move_units 3)
    )
    # Norte: 2/wk and 1/wk, stock 0 → target 2 weeks = 4 and 2 units.
    assert dict(plan.lines.values_list("product__sku", "qty")) == {"00000001": 4, "00000002": 2}
    assert plan.mode == "manual" and plan.origin == shop["centro"]
    assert set(plan.lines.values_list("reason", flat=True)) == {"URGENT"}


def test_case4_assisted_qty_override_uses_file_qty_but_keeps_the_donor_floor(db, week, planner_client):
    origin, dest = f.store("Origen"), f.store("Destino")
    a = f.product("00000201", category="Audio")
    b = f.product("00000202", category="Audio")
    # Origen sells 1/wk of each → keeps ceil(2 × 1) = 2. Destino sells 1/wk, has 1: the system would send 1 → 0/2.
    f.weekly([(p, s, week(w), 1) for w in range(8) for p in (a, b) for s in (origin, dest)])
    f.store_stock([(origin, a, 12), (origin, b, 40), (dest, a, 1), (dest, b, 1)])
    plan = post_plan(
        planner_client,
        mode="manual",
        scope="skus",
        sku_file=upload("sku,qty\n00000201,30\n00000202,5\n"),
        origin=origin.pk,
        auto_pick_donors=None,
        system_decides=None,
        override_qty="on",
        destination=dest.pk,
    )
    got = {ln.product.sku: ln for ln in plan.lines.select_related("product")}
    assert got["00000202"].qty == 5  # the file's qty, not the system's
    assert got["00000201"].qty == 10  # asked 30, Origen keeps its floor of 2 of its 12
    assert got["00000201"].origin_retain == 2
    assert {ln.reason for ln in got.values()} == {"FILE_QTY_OVERRIDE"}
    assert plan.summary["short_units"] == 20


@pytest.fixture
def big_plan_data(db, week):
    """45 destinations × 50 SKUs, all urgent, one donor: 2250 moves wanted, MAX_ROWS 2000."""
    donor = f.store("Bodega Donante")
    stores = [f.store(f"Tienda {i:03d}") for i in range(45)]
    products = [f.product(f"{i:08d}", f"Producto {i}", "Hogar") for i in range(50)]
    f.weekly([(p, s, week(0), 2) for p in products for s in stores])
    f.store_stock([(donor, p, 1000) for p in products])
    return stores


def test_case5_large_plan_is_paginated_with_small_headers_and_nothing_in_the_session(big_plan_data, planner_client):
    response = planner_client.post(
        FORM_URL, form_data(category="Hogar", top_n=50, destination_kind="all", history_weeks=1)
    )
    assert response.status_code == 302
    assert header_bytes(response) < HEADER_LIMIT
    plan = TransferPlan.objects.get()
    assert plan.line_count == 2000  # MAX_ROWS
    assert plan.summary["cap_hit"] == "MAX_ROWS"

    pages = [
        plan.get_absolute_url(),
        reverse("redistribution:plan_transfers", args=[plan.plan_id]) + "?per_page=50",
        reverse("redistribution:plan_transfers", args=[plan.plan_id]) + "?per_page=50&page=40",
        reverse("redistribution:plan_destinations", args=[plan.plan_id]) + "?per_page=10&page=2",
        reverse("job_detail", args=[plan.job_id]),
    ]
    for url in pages:
        page = planner_client.get(url)
        assert page.status_code == 200, url
        assert header_bytes(page) < HEADER_LIMIT, url
    transfers = planner_client.get(pages[1])
    assert transfers.content.decode().count("<tr") == 51  # header + 50 rows
    assert "1–50 de 2.000" in transfers.content.decode()  # counts grouped like every figure
    for size in (10, 25):
        body = planner_client.get(pages[1].replace("50", str(size))).content.decode()
        assert body.count("<tr") == size + 1
    # Nothing of the plan travels in the session or cookies.
    session = planner_client.session
    assert set(session.keys()) <= {"_auth_user_id", "_auth_user_backend", "_auth_user_hash"}
    assert len(session.encode(dict(session.items()))) < 1024
    assert sum(len(c.value) for c in planner_client.cookies.values()) < 1024


# --- the form -------------------------------------------------------------------------


def test_form_shows_every_option_with_defaults(shop, planner_client):
    body = planner_client.get(FORM_URL).content.decode()
    for text in (
        "Sugerencia automática",
        "Manual asistido",
        "Lista de SKUs",
        "Categoría",
        "Una tienda",
        "Todas las tiendas",
        'data-show-when="destination_kind=all"',  # the info banner
        'data-bs-toggle="tooltip"',  # Top N explanation
        "Elegir donantes automáticamente",
        "El sistema decide las cantidades",
        "Usar qty del archivo como override obligatorio",
        'name="eligible_stores"',
        'name="sku_file"',
    ):
        assert text in body, text
    for name, default in (
        ("history_weeks", "8"),
        ("min_woc", "1,0"),
        ("target_woc", "2,0"),
        ("max_woc", "4,0"),
        ("max_retain_woc", "2,0"),
        ("min_store_stock", "1"),
        ("min_fill", "2"),
        ("sku_weight", "0,7"),
        ("top_n", "20"),
        ("max_rows", "2000"),
        ("max_units_per_sku_per_dest", "20"),
    ):
        assert f'name="{name}" value="{default}"' in body, name
    assert re.search(r'<input type="checkbox" name="system_decides"[^>]* checked>', body)
    assert re.search(r'<input type="checkbox" name="auto_pick_donors"[^>]* checked>', body)
    assert not re.search(r'<input type="checkbox" name="override_qty"[^>]* checked>', body)
    assert "<script>" not in body  # CSP: no inline scripts


def test_form_without_macro_sales_refuses_kindly(db, planner_client):
    f.store("Tienda Sola")
    page = planner_client.get(FORM_URL)
    assert "No hay ventas macro cargadas" in page.content.decode()
    response = planner_client.post(FORM_URL, form_data(category="X", destination_kind="all"))
    assert response.status_code == 200
    assert "No hay ventas macro cargadas" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"category": ""}, "category", "Elija una categoría"),
        ({"scope": "skus"}, "sku_file", "Suba un archivo"),
        ({"category": "Consolas", "destination": ""}, "destination", "Elija la tienda de destino"),
        (
            {"category": "Consolas", "destination_kind": "all", "mode": "manual", "auto_pick_donors": None},
            "origin",
            "Elija una tienda de origen",
        ),
        ({"category": "Consolas", "destination_kind": "all", "target_woc": 0.5}, None, "target_woc"),
        ({"category": "Consolas", "destination_kind": "all", "sku_weight": 2}, "sku_weight", ""),
    ],
)
def test_form_errors_are_clear_and_start_nothing(shop, planner_client, overrides, field, message):
    response = planner_client.post(FORM_URL, form_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors.get(field or "__all__")
    assert errors, form.errors
    assert message in " ".join(errors)
    assert not Job.objects.exists()


def test_origin_and_destination_must_differ(shop, planner_client):
    response = planner_client.post(
        FORM_URL,
        form_data(category="Consolas", mode="manual", origin=shop["norte"].pk, destination=shop["norte"].pk),
    )
    assert "misma tienda" in " ".join(response.context["form"].errors["origin"])


def test_bad_sku_file_goes_to_the_job_page_with_row_errors(shop, planner_client):
    response = planner_client.post(
        FORM_URL,
        form_data(scope="skus", sku_file=upload("sku,qty\n00000001,x\n"), destination=shop["norte"].pk),
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == Job.Status.FAILED
    assert job.errors[0]["row"] == 2
    assert not TransferPlan.objects.exists()


def test_viewers_cannot_plan_or_export(shop, planner, viewer_client):
    assert viewer_client.get(FORM_URL).status_code == 403
    assert viewer_client.post(FORM_URL, form_data(category="Consolas", destination_kind="all")).status_code == 403
    from redistribution.services import PlanRequest, transfer_plan_create

    plan = transfer_plan_create(user=planner, request=PlanRequest(scope="category", category="Consolas"))
    assert viewer_client.get(plan.get_absolute_url()).status_code == 200
    body = viewer_client.get(reverse("redistribution:plan_list")).content.decode()
    assert plan.plan_id in body
    assert "Nuevo plan" not in body
    export = reverse("redistribution:plan_export", args=[plan.plan_id, "csv"])
    assert viewer_client.get(export).status_code == 403


def test_menu_has_the_redistribution_group(shop, planner_client, viewer_client):
    body = planner_client.get(reverse("home")).content.decode()
    assert "Redistribución" in body and f'href="{FORM_URL}"' in body
    assert reverse("redistribution:plan_list") in body
    viewer_body = viewer_client.get(reverse("home")).content.decode()
    assert f'href="{FORM_URL}"' not in viewer_body and reverse("redistribution:plan_list") in viewer_body


# --- plan pages ----------------------------------------------------------------------------


@pytest.fixture
def plan(shop, planner_client) -> TransferPlan:
    return post_plan(planner_client, category="Consolas", destination_kind="all")


def test_summary_tab(plan, planner_client):
    body = planner_client.get(plan.get_absolute_url()).content.decode()
    for text in ("Movimientos", "Unidades", "Tiendas afectadas", "Destinos aún cortos", plan.plan_id, "data-chart"):
        assert text in body
    assert "Exportar CSV" in body and "Exportar XLSX" in body


def test_transfers_tab_filters_and_sorts(plan, shop, planner_client):
    url = reverse("redistribution:plan_transfers", args=[plan.plan_id])
    body = planner_client.get(url).content.decode()
    assert "00000001" in body and "00000002" in body
    assert "Tienda Norte: demanda 1,94 u/sem" in body  # every line explains itself
    body = planner_client.get(url + "?sku=0002").content.decode()
    assert "00000002" in body and "00000001" not in body
    body = planner_client.get(url + f"?origin_store={shop['centro'].pk}&destination_store={shop['norte'].pk}").content
    assert b"00000001" in body
    sorted_body = planner_client.get(url + "?sort=-qty").content.decode()
    assert sorted_body.index("00000001") < sorted_body.index("00000002")  # 4 units before 3


def test_by_destination_tab_is_an_accordion_per_store(plan, planner_client):
    body = planner_client.get(reverse("redistribution:plan_destinations", args=[plan.plan_id])).content.decode()
    assert 'class="accordion' in body
    assert body.count('class="accordion-item"') == 1  # only Norte receives
    assert "Tienda Norte" in body and "7 u" in body


def test_plan_pages_query_counts(plan, planner_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        planner_client.get(plan.get_absolute_url())
    with django_assert_max_num_queries(12):
        planner_client.get(reverse("redistribution:plan_transfers", args=[plan.plan_id]))
    with django_assert_max_num_queries(10):
        planner_client.get(reverse("redistribution:plan_destinations", args=[plan.plan_id]))


def test_plan_list_like_runs(shop, planner_client, django_assert_max_num_queries):
    for _ in range(3):
        post_plan(planner_client, category="Consolas", destination_kind="all")
    with django_assert_max_num_queries(8):
        body = planner_client.get(reverse("redistribution:plan_list") + "?per_page=10").content.decode()
    for plan in TransferPlan.objects.all():
        assert plan.plan_id in body
    assert "Todas las tiendas" in body
    assert planner_client.get(reverse("redistribution:plan_list") + "?mode=manual").content.decode().count("TP-") == 0


def test_unknown_plan_is_404(db, planner_client):
    assert planner_client.get(reverse("redistribution:plan_detail", args=["TP-0"])).status_code == 404


# --- exports -------------------------------------------------------------------------------


def test_export_csv(plan, planner_client):
    url = reverse("redistribution:plan_export", args=[plan.plan_id, "csv"])
    # A Spanish viewer gets the Spanish-Excel dialect: `;` and decimal comma (issue 32).
    spanish = planner_client.get(url).content.decode("utf-8-sig").splitlines()
    assert spanish[0].startswith("plan_id;sku;category;origin_store;")
    assert spanish[1].startswith(f"{plan.plan_id};00000001;Consolas;Tienda Centro;Tienda Norte;4;40;3;0;1,94;URGENT")
    response = planner_client.get(url, {"csv": "standard"})
    text = response.content.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.startswith(
        "plan_id,sku,category,origin_store,destination_store,qty,origin_stock,origin_retain,"
        "destination_stock,destination_demand,reason"
    )
    assert first.startswith(f"{plan.plan_id},00000001,Consolas,Tienda Centro,Tienda Norte,4,40,3,0,1.94,URGENT")
    assert AuditEvent.objects.filter(action="export", object_id=str(plan.pk)).exists()


def test_export_xlsx_keeps_skus_as_text(plan, planner_client):
    response = planner_client.get(reverse("redistribution:plan_export", args=[plan.plan_id, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("plan_id", "sku", "category")
    assert rows[1][1] == "00000001"
    assert len(rows) == 1 + plan.line_count


def test_export_unknown_format_is_404(plan, planner_client):
    assert planner_client.get(f"/redistribution/plans/{plan.plan_id}/export.pdf").status_code == 404


def test_repeat_link_prefills_the_form(plan, planner_client):
    body = planner_client.get(plan.get_absolute_url()).content.decode()
    match = re.search(r'href="(/redistribution/\?[^"]+)">Repetir con estos parámetros', body)
    assert match
    form = planner_client.get(match.group(1).replace("&amp;", "&")).context["form"]
    assert form["scope"].value() == "category"
    assert form["category"].value() == "Consolas"
    assert form["destination_kind"].value() == "all"
    assert form["history_weeks"].value() == "8"
    assert form["auto_pick_donors"].value() is True
    assert form["override_qty"].value() is False


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_caps_are_named_in_the_planners_words(shop, planner_client, language):
    """The engine's cap names are one long word each: they wrapped the form's column."""
    planner_client.cookies["django_language"] = language
    page = planner_client.get(FORM_URL).content.decode()
    for code in ("MAX_ROWS", "MAX_UNITS_PER_SKU_PER_DEST", "MAX_UNITS"):
        assert code not in page


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_plan_form_names_parameters_by_their_labels_not_their_codes(db, planner_client, language):
    """The guide, the help badges and the caps' notes say "cobertura mínima", not min_woc."""
    import html

    planner_client.cookies["django_language"] = language
    page = planner_client.get(reverse("redistribution:plan_create")).content.decode()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    # Visible text and the help badges' tooltips (an input's own title keeps its SPEC code for the command line).
    badges = re.findall(r'data-bs-toggle="tooltip"[^>]*title="([^"]*)"', page)
    shown = " ".join(badges) + html.unescape(re.sub(r"<[^>]+>", " ", page))
    codes = ["history_weeks", "sku_weight", "target_woc", "min_woc", "max_woc", "max_retain_woc", "min_fill",
             "min_store_stock", "MAX_ROWS", "MAX_UNITS"]  # fmt: skip
    assert [code for code in codes if re.search(rf"(?<![\w]){code}(?![\w])", shown)] == []
    assert ("cobertura mínima" if language == "es" else "minimum cover") in shown
