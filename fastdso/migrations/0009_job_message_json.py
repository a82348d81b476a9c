"""Job.message holds a message (code and parameters) as JSON: 0008 wrote
every old row's text as the JSON of its message."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("fastdso", "0008_messages_as_data")]

    operations = [
        migrations.AlterField(
            model_name="job",
            name="message",
            field=models.JSONField(blank=True, default=dict, verbose_name="mensaje"),
        ),
    ]
