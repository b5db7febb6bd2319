from decimal import Decimal

from django.db import migrations

# domain.md §5: in 2020 the monitoring range was "about 1.5× the national poverty line"
# (国务院扶贫开发领导小组, 2020-03). The 2020 national line is about 4,000 元 (the 2010 line of
# 2,300 at 2020 prices), so 1.5 × 4,000 = 6,000 元. Without this row a 2020 income had no
# threshold at all and the income-stability rule of risk elimination failed for every
# household judged on 2019–2021 incomes.
SOURCE = (
    "CONFIRMED rule, amount derived: 国务院扶贫开发领导小组《关于建立防止返贫监测和帮扶机制的指导意见》"
    "(2020-03) 监测范围 约为国家扶贫标准的1.5倍; 2020 国家扶贫标准约4000元, 1.5×4000=6000元"
)


def seed_2020(apps, schema_editor):
    MonitoringLine = apps.get_model("screening", "MonitoringLine")
    MonitoringLine.objects.get_or_create(
        scope="national", year=2020, defaults={"amount": Decimal("6000"), "source": SOURCE}
    )


def unseed_2020(apps, schema_editor):
    MonitoringLine = apps.get_model("screening", "MonitoringLine")
    MonitoringLine.objects.filter(scope="national", year=2020, source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0003_national_floor_2021"),
    ]

    operations = [migrations.RunPython(seed_2020, unseed_2020)]
