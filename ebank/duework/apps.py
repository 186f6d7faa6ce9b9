from django.apps import AppConfig


class DueworkConfig(AppConfig):
    name = "ebank.duework"
    label = "duework"
    verbose_name = "延时任务"

    def ready(self):
        # Audit action labels (ebank.core.audit).
        from ebank.core.audit import audit_actions
        audit_actions({"duework.retry": "延时任务重新执行"})
