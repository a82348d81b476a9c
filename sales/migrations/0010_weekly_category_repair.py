"""Repair the weekly rows' category copy (issue 25).

Before this release a macro upload of more than 2,000 new products stored a
NULL category on the rows of most of them (its lookup stepped 5,000 product
ids but read 2,000). Every row whose copy differs from its product's category
takes the product's, and the kept category summary is marked stale so the
next run or upload refills it. A database without the bug changes nothing.
"""

from django.db import migrations


def weekly_categories_repair(apps, schema_editor):
    weekly = apps.get_model("sales", "SalesWeeklyAgg")._meta.db_table
    product = apps.get_model("inventory", "Product")._meta.db_table
    connection = schema_editor.connection
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    with connection.cursor() as cursor:
        # UPDATE … FROM: PostgreSQL, and SQLite since 3.33.
        cursor.execute(
            f"UPDATE {weekly} SET category = p.category FROM {product} p "  # noqa: S608 - identifiers are ours
            f"WHERE p.id = {weekly}.product_id AND {weekly}.category {differs} p.category"
        )
        repaired = cursor.rowcount
    if repaired:
        apps.get_model("sales", "CategorySalesState").objects.filter(pk=1).update(stale=True)


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0009_promotion_natural_key"),
    ]

    operations = [
        migrations.RunPython(weekly_categories_repair, migrations.RunPython.noop, elidable=True),
    ]
