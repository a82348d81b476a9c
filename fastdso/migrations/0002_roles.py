"""The three roles of SPEC §10 as groups: planner, viewer, staff."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OUR_APPS = ("fastdso", "inventory", "sales", "distribution", "redistribution")


def create_roles(apps, schema_editor):
    # Permissions normally appear after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    plan = Permission.objects.get(content_type__app_label="fastdso", codename="plan")
    planner, _ = Group.objects.get_or_create(name="planner")
    planner.permissions.add(plan)
    Group.objects.get_or_create(name="viewer")
    staff, _ = Group.objects.get_or_create(name="staff")
    staff.permissions.add(*Permission.objects.filter(content_type__app_label__in=OUR_APPS))
    staff.permissions.add(*Permission.objects.filter(content_type__app_label="auth"))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["planner", "viewer", "staff"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("fastdso", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("inventory", "0001_initial"),
        ("sales", "0001_initial"),
        ("distribution", "0001_initial"),
        ("redistribution", "0001_initial"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
