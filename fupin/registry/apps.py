from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "fupin.registry"
    label = "registry"
    verbose_name = "建档立卡"

    def ready(self) -> None:
        # Job runners register themselves on import; a worker must know them before it claims one.
        from fupin.registry import tasks  # noqa: F401
