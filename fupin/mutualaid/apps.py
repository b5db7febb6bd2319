from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MutualAidConfig(AppConfig):
    name = "fupin.mutualaid"
    label = "mutualaid"
    verbose_name = _("mutual-aid groups")
    default_auto_field = "django.db.models.BigAutoField"
