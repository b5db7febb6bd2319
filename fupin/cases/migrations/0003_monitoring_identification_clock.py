import datetime as dt

from django.db import migrations, models

# Monitoring cases opened before the clock existed: timed from the day they opened, under the
# default limit (15 days, domain.md §5). The alert a case came from lives in an app above
# cases, so its earlier date is not looked up here.
DEFAULT_DAYS = 15


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.filter(kind="monitoring", first_clue_on=None).only("pk", "opened_at"):
        clue = case.opened_at.date()
        Case.objects.filter(pk=case.pk).update(
            first_clue_on=clue, identification_due=clue + dt.timedelta(days=DEFAULT_DAYS)
        )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_monitoring'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='first_clue_on',
            field=models.DateField(blank=True, null=True, verbose_name='first risk clue on'),
        ),
        migrations.AddField(
            model_name='case',
            name='identification_due',
            field=models.DateField(blank=True, null=True, verbose_name='identification due'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
