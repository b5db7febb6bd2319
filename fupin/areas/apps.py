from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "fupin.areas"
    label = "areas"
    verbose_name = "行政区划"
