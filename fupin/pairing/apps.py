from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairingConfig(AppConfig):
    name = "fupin.pairing"
    label = "pairing"
    verbose_name = _("pairing")
    default_auto_field = "django.db.models.BigAutoField"
