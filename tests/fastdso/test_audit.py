from __future__ import annotations

from django.urls import reverse

from fastdso.audit import audit_record
from fastdso.models import AuditEvent
from inventory.models import Product


def test_admin_changes_are_audited(staff_client, staff_user):
    product = Product.objects.create(sku="00012345", name="Consola", category="Consolas")
    response = staff_client.post(
        reverse("admin:inventory_product_change", args=[product.pk]),
        {"sku": "00012345", "name": "Consola Alfa", "category": "Consolas", "pack_size": 1, "display_min": 0},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin_change")
    assert event.user == staff_user
    assert event.object_type == "inventory.Product"
    assert event.object_id == str(product.pk)


def test_admin_add_and_delete_are_audited(staff_client):
    staff_client.post(
        reverse("admin:inventory_store_add"),
        {"name": "Tienda Sur", "code": "S01", "size_factor": 1.0, "lead_time_days": 2, "active": "on"},
    )
    assert AuditEvent.objects.filter(action="admin_add", object_repr="Tienda Sur").exists()
    product = Product.objects.create(sku="777")
    staff_client.post(
        reverse("admin:inventory_product_changelist"),
        {"action": "delete_selected", "_selected_action": [product.pk], "post": "yes"},
    )
    assert AuditEvent.objects.filter(action="admin_delete", object_id=str(product.pk)).exists()


def test_audit_list_filters_by_user_and_action(planner, viewer, planner_client):
    audit_record(user=planner, action="upload", object_repr="ventas.csv")
    audit_record(user=viewer, action="export", object_repr="run.xlsx")
    page = planner_client.get(reverse("audit_list"), {"action": "upload"}).content.decode()
    assert "ventas.csv" in page and "run.xlsx" not in page
    page = planner_client.get(reverse("audit_list"), {"user": viewer.pk}).content.decode()
    assert "run.xlsx" in page and "ventas.csv" not in page


def test_audit_list_pages_by_10_25_50(planner, planner_client, django_assert_max_num_queries):
    AuditEvent.objects.bulk_create([AuditEvent(user=planner, action="run", object_repr=f"R{i}") for i in range(60)])
    with django_assert_max_num_queries(10):
        page = planner_client.get(reverse("audit_list"), {"per_page": 10}).content.decode()
    assert page.count("<tr") == 11  # header + 10 rows
    page = planner_client.get(reverse("audit_list"), {"per_page": 999}).content.decode()
    assert page.count("<tr") == 26  # an unknown size falls back to 25


def test_upload_audit_rows_read_in_the_viewers_words(planner_client, tmp_path):
    """The four uploads' audit details (keys such as first_date, rows_cleared,
    new_stores; values such as macro_sales, replace_range) and the object's
    kind (sales.SalesLoad) are shown by their labels, in both languages."""
    import html
    import io
    import re

    from django.core.management import call_command

    files = {
        "products.csv": "sku,product_name,category\n00000001,Consola Uno,Consolas\n",
        "cd.csv": "sku,quantity\n00000001,30\n",
        "stores.csv": "sku,store,quantity\n00000001,Tienda Norte,4\n",
        "sales.csv": "sku,store,date,quantity\n00000001,Tienda Norte,2026-01-05,2\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import_products", str(tmp_path / "products.csv"), stdout=out)
    call_command("import_cd_stock", str(tmp_path / "cd.csv"), "--date", "2026-01-11", stdout=out)
    call_command("import_store_stock", str(tmp_path / "stores.csv"), "--date", "2026-01-11", stdout=out)
    call_command("import_macro_sales", str(tmp_path / "sales.csv"), stdout=out)
    assert AuditEvent.objects.filter(action="upload").count() == 4

    expected = {
        "es": ["Primer día", "Filas borradas", "Ventas macro", "Reemplazar rango", "Stock CD", "Carga de ventas"],
        "en": ["First day", "Rows cleared", "Macro sales", "Replace range", "DC stock", "Macro sales load"],
    }
    for language, words in expected.items():
        planner_client.cookies["django_language"] = language
        page = planner_client.get(reverse("audit_list")).content.decode()
        page = re.sub(r"<(script|style|select)\b.*?</\1>", " ", page, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("ana_planner", "")  # the user's name
        assert re.findall(r"\b[a-z]+(?:_[a-z]+)+\b|\b[a-z]+\.[A-Z][A-Za-z]+\b", text) == [], language
        for word in words:
            assert word in text, (language, word)
