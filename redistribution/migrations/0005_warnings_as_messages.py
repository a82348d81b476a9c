"""Messages as data (issue 30): the warnings of old rows, stored as Spanish
phrases, as codes and parameters (the frozen phrases of fastdso 0008)."""

from django.db import migrations

from fastdso.migrations import _legacy_prose as legacy


forward = legacy.warnings_forward("redistribution", "TransferPlan")


class Migration(migrations.Migration):
    dependencies = [("redistribution", "0004_plan_shipped")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
