"""The table of the default cache (settings.CACHES: Django's DatabaseCache), so that what the
cache holds (the public tracking miss limit) is shared by every process and machine."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # createcachetable skips a table that exists, and does nothing for a non-database cache
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_idempotency_lease")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
