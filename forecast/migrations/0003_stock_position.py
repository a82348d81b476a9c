# The forecast's stock position said apart as Stock Query says it (issue 27).

from django.db import migrations, models
from django.db.models import F


def backfill(apps, schema_editor):
    """Lines saved before: the CD column held what was available there (count
    − reserved) and in_transit the stores' net moves; derive the two new ones."""
    line = apps.get_model("forecast", "ForecastLine")
    line.objects.update(
        on_hand=F("cd_stock") + F("reserved") + F("store_stock"),
        available=F("cd_stock") + F("store_stock") + F("in_transit"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('forecast', '0002_seasonal_method'),
    ]

    operations = [
        migrations.AddField(
            model_name='forecastline',
            name='available',
            field=models.IntegerField(default=0, verbose_name='disponible'),
        ),
        migrations.AddField(
            model_name='forecastline',
            name='on_hand',
            field=models.IntegerField(default=0, verbose_name='existencias'),
        ),
        migrations.AlterField(
            model_name='forecastline',
            name='reserved',
            field=models.IntegerField(default=0, verbose_name='reservado'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
