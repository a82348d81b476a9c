# The run's store-stock read (SPEC §5.7) becomes index-only on PostgreSQL (docs/performance.md, v3).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0008_shipments_receipts"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="storestocksnapshot",
            name="storestock_product_idx",
        ),
        migrations.AddIndex(
            model_name="storestocksnapshot",
            index=models.Index(
                fields=["product", "store", "snapshot_date"], include=("units",), name="storestock_product_idx"
            ),
        ),
    ]
