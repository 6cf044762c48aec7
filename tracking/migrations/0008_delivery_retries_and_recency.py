import django.utils.timezone
from django.db import migrations, models
from django.db.models.functions import Coalesce


def backfill_updated_at(apps, schema_editor):
    """Existing deliveries last changed when they were sent (or else created)."""
    Delivery = apps.get_model("tracking", "Delivery")
    Delivery.objects.update(updated_at=Coalesce("sent_at", "created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0007_standup_blocker_resolved_message_delivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="max_attempts",
            field=models.PositiveSmallIntegerField(default=6),
        ),
        migrations.AddField(
            model_name="delivery",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(backfill_updated_at, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["channel", "-updated_at"], name="delivery_channel_recent"),
        ),
    ]
