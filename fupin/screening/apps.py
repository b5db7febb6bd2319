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
        # Alerts sit below this app and cannot import it: give them the rules' Chinese names and
        # the meaning of each evidence key, or pages would show the keys (income_drop, share_pct).
        from fupin.alerts.labels import register_evidence_labels, register_rule_labels
        from fupin.screening.rules import RULES, evidence_labels

        register_rule_labels({rule.key: rule.label for rule in RULES})
        for rule in RULES:
            register_evidence_labels(rule.key, evidence_labels(rule.key))
