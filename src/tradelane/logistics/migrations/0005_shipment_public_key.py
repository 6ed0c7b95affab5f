"""Every shipment gets a random public key for its public tracking page.

Existing shipments keep their numbers: every one of our own channels' shipments is labelled
when it is created, so its number may be printed on a parcel, pushed to a store and listed on
a manifest; renumbering would break scans, store tracking and handovers. Their numbers were
sequential (channel code + id, or an S10 serial), so ``public_by_number`` stays False: the
public page answers for them only with the key. Shipments numbered at random from now on get
``public_by_number`` True.
"""

from django.db import migrations, models

import tradelane.logistics.shipping.numbers


def fill_keys(apps, schema_editor):
    Shipment = apps.get_model("logistics", "Shipment")
    new_key = tradelane.logistics.shipping.numbers.new_public_key
    ids = list(Shipment.objects.filter(public_key__isnull=True).values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        rows = [Shipment(pk=pk, public_key=new_key()) for pk in ids[start : start + 1000]]
        Shipment.objects.bulk_update(rows, ["public_key"])


class Migration(migrations.Migration):
    dependencies = [("logistics", "0004_customs_thresholds")]

    operations = [
        migrations.AddField(
            model_name="shipment",
            name="public_by_number",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="shipment",
            name="public_key",
            field=models.CharField(max_length=32, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="shipment",
            name="public_key",
            field=models.CharField(
                default=tradelane.logistics.shipping.numbers.new_public_key, max_length=32, unique=True
            ),
        ),
    ]
