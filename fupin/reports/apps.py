from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fupin.reports"
    label = "reports"
    verbose_name = "报表与打印"
