"""Categories compare trimmed and case-insensitively (SPEC v2 §4.3): existing
spellings of one category ("consolas", "Consolas ") become the first one seen
(the spelling of the oldest product), on products and their weekly rows."""

from django.db import migrations
from django.db.models import Min


def categories_unify(apps, schema_editor):
    product = apps.get_model("inventory", "Product")
    weekly = apps.get_model("sales", "SalesWeeklyAgg")
    rows = (
        product.objects.exclude(category=None)
        .exclude(category="")
        .values("category")
        .annotate(first=Min("id"))
        .order_by("first")
        .values_list("category", flat=True)
    )
    spelling: dict[str, str] = {}
    for name in rows:
        spelling.setdefault(name.strip().casefold(), name.strip())
    for name in list(rows):
        wanted = spelling[name.strip().casefold()]
        if name != wanted:
            ids = list(product.objects.filter(category=name).values_list("id", flat=True))
            product.objects.filter(id__in=ids).update(category=wanted)
            for start in range(0, len(ids), 2000):
                weekly.objects.filter(product_id__in=ids[start : start + 2000]).update(category=wanted)


def weekly_categories_resync(apps, schema_editor):
    """Weekly rows whose copy of the category went stale (an admin edit before
    v2 did not reach them) take their product's category again."""
    weekly = apps.get_model("sales", "SalesWeeklyAgg")._meta.db_table
    product = apps.get_model("inventory", "Product")._meta.db_table
    distinct = "IS DISTINCT FROM" if schema_editor.connection.vendor == "postgresql" else "IS NOT"
    current = f"(SELECT p.category FROM {product} p WHERE p.id = {weekly}.product_id)"
    schema_editor.execute(f"UPDATE {weekly} SET category = {current} WHERE category {distinct} {current}")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0004_product_pack_size"),
        ("sales", "0004_store_coverage"),
    ]

    operations = [
        migrations.RunPython(categories_unify, migrations.RunPython.noop),
        migrations.RunPython(weekly_categories_resync, migrations.RunPython.noop),
    ]
