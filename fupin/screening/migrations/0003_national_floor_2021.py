from decimal import Decimal

from django.db import migrations

# domain.md §5: the 2021 monitoring range is 6000 元 per person per year nationally (1.5× the
# line), a floor provinces may raise. Later national values circulate but are UNCONFIRMED, so
# they are left to be entered as data (`fupin screen set-line YEAR AMOUNT --national`); until
# then the lookup carries 2021 forward as the floor.
SOURCE = (
    "CONFIRMED: 中农组发〔2021〕7号, 2021 监测范围 家庭年人均纯收入6000元 "
    "(http://www.jingbian.gov.cn/zwgk/zcjd/wzjd/1496737812254937089.html)"
)


def seed_floor(apps, schema_editor):
    MonitoringLine = apps.get_model("screening", "MonitoringLine")
    MonitoringLine.objects.get_or_create(
        scope="national", year=2021, defaults={"amount": Decimal("6000"), "source": SOURCE}
    )


def unseed_floor(apps, schema_editor):
    MonitoringLine = apps.get_model("screening", "MonitoringLine")
    MonitoringLine.objects.filter(scope="national", year=2021, source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0002_run_snapshot_rows_warnings"),
    ]

    operations = [migrations.RunPython(seed_floor, unseed_floor)]
