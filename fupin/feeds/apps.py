from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    name = "fupin.feeds"
    label = "feeds"
    verbose_name = _("department feeds")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Job runners register themselves on import; a worker must know them before it claims one.
        from fupin.feeds import tasks  # noqa: F401
