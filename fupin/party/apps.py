from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "fupin.party"
    label = "party"
    verbose_name = _("party building")
    default_auto_field = "django.db.models.BigAutoField"
