"""Replay v3 (SPEC v3 §13): rules, CD mode and supplier lead time of a replay.
Replays saved before ran the v2 replay with the CD fed from history."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("replay", "0001_replay_run"),
    ]

    operations = [
        migrations.AddField(
            model_name="replayrun",
            name="rules",
            field=models.CharField(default="v2", max_length=4, verbose_name="reglas"),
        ),
        migrations.AlterField(
            model_name="replayrun",
            name="rules",
            field=models.CharField(default="v3", max_length=4, verbose_name="reglas"),
        ),
        migrations.AddField(
            model_name="replayrun",
            name="cd_mode",
            field=models.CharField(default="history", max_length=10, verbose_name="abastecimiento del CD"),
        ),
        migrations.AlterField(
            model_name="replayrun",
            name="cd_mode",
            field=models.CharField(default="purchase", max_length=10, verbose_name="abastecimiento del CD"),
        ),
        migrations.AddField(
            model_name="replayrun",
            name="supplier_lead_weeks",
            field=models.PositiveSmallIntegerField(default=2, verbose_name="plazo del proveedor (semanas)"),
        ),
    ]
