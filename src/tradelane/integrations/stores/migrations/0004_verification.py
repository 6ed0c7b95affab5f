from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("stores", "0003_stock_push_mark")]

    operations = [
        migrations.AddField(
            model_name="storeconnection",
            name="verification",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
