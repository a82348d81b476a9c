"""Messages as data (issue 30): jobs and audit events stored Spanish
phrases; they now store codes and parameters (fastdso.messages). This
converts the old rows with a frozen copy of the phrases (_legacy_prose);
0009 then makes Job.message a JSON field."""

import json

from django.db import migrations, models

from fastdso.migrations import _legacy_prose as legacy

BATCH = 500


def jobs_forward(apps, schema_editor):
    Job = apps.get_model("fastdso", "Job")
    fields = ["stage", "message", "warnings", "errors", "result"]
    batch = []
    for job in Job.objects.only("id", "kind", *fields).iterator(chunk_size=BATCH):
        job.stage = legacy.convert_stage(job.stage or "")
        text = job.message
        if isinstance(text, str) and text.startswith("{") and '"code"' in text:
            pass  # already converted
        else:
            job.message = json.dumps(legacy.convert_text(text) if text else {}, ensure_ascii=False)
        job.warnings = legacy.convert_list(job.warnings)
        job.errors = legacy.convert_errors(job.errors)
        job.result = legacy.convert_summary(job.result, job.kind)
        batch.append(job)
        if len(batch) >= BATCH:
            Job.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        Job.objects.bulk_update(batch, fields)


def audit_forward(apps, schema_editor):
    AuditEvent = apps.get_model("fastdso", "AuditEvent")
    batch = []
    for event in AuditEvent.objects.only("id", "object_repr", "details").iterator(chunk_size=BATCH):
        event.details = legacy.convert_details(event.details)
        event.object_label = legacy.convert_object_label(event.object_repr or "")
        batch.append(event)
        if len(batch) >= BATCH:
            AuditEvent.objects.bulk_update(batch, ["details", "object_label"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["details", "object_label"])


class Migration(migrations.Migration):
    dependencies = [("fastdso", "0007_id_sequence")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="object_label",
            field=models.JSONField(blank=True, default=dict, verbose_name="nombre del objeto"),
        ),
        migrations.RunPython(jobs_forward, migrations.RunPython.noop),
        migrations.RunPython(audit_forward, migrations.RunPython.noop),
    ]
