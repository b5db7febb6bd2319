from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "fupin.stats"
    label = "stats"
    verbose_name = _("statistics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Hands core the incremental refresh for its background thread (core cannot import us).
        from fupin.stats import refresh, tasks  # noqa: F401
