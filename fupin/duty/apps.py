from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "fupin.duty"
    label = "duty"
    verbose_name = _("responsibility lists")
    default_auto_field = "django.db.models.BigAutoField"
