"""Messages as data (issue 30): the warnings of old rows, stored as Spanish
phrases, as codes and parameters (the frozen phrases of fastdso 0008)."""

from django.db import migrations

from fastdso.migrations import _legacy_prose as legacy


def forward(apps, schema_editor):
    Model = apps.get_model("replay", "ReplayRun")
    batch = []
    for row in Model.objects.only("id", "warnings").iterator(chunk_size=500):
        row.warnings = legacy.convert_list(row.warnings)
        batch.append(row)
        if len(batch) >= 500:
            Model.objects.bulk_update(batch, ["warnings"])
            batch = []
    if batch:
        Model.objects.bulk_update(batch, ["warnings"])


class Migration(migrations.Migration):
    dependencies = [("replay", "0002_replay_v3")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
