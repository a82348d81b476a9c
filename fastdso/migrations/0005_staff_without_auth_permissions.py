"""Staff no longer hold the auth.* permissions: only superusers manage users,
groups and permissions (a staff user could make itself superuser)."""

from django.db import migrations


def drop_auth_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff = Group.objects.filter(name="staff").first()
    if staff is not None:
        staff.permissions.remove(*Permission.objects.filter(content_type__app_label="auth"))


class Migration(migrations.Migration):
    dependencies = [("fastdso", "0004_job_attempt")]
    operations = [migrations.RunPython(drop_auth_permissions, migrations.RunPython.noop)]
