from django.apps import AppConfig


class LimitsConfig(AppConfig):
    name = "ebank.limits"
    label = "limits"
    verbose_name = "限额"

    def ready(self):
        # Audit action labels (ebank.core.audit).
        from ebank.core.audit import audit_actions
        audit_actions({"limit_policy_set": "限额修改"})
