"""The group whose members are platform admins (see accounts.roles)."""

from django.db import migrations

PLATFORM_ADMIN_GROUP = "platform-admin"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=PLATFORM_ADMIN_GROUP)


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
