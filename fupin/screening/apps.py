from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "fupin.screening"
    label = "screening"
    verbose_name = _("screening")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fupin.screening import conf, tasks  # noqa: F401  job runners register on import

        # A malformed FUPIN_SPARK_* or FUPIN_DUCKDB_* stops start-up, not the first run.
        conf.check()
