"""工作日志 (/admin/worklog/): the audit rows of staff actions, as far as the reader may see them.

* everyone sees their own actions (``actor`` is them);
* a 主管 also sees the actions of every member of staff at their branch;
* head office (role 总行管理员 at a head-office branch) sees every member of staff's.
A 柜员 never sees another teller's actions. Rows are read from the one audit table, named with
its Chinese labels (``ebank.core.audit``), filtered by a date range (Asia/Shanghai days) and by
operation, 50 to a page.
"""

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.urls import path

from accounts.models import Customer
from ebank.core.audit import audit_action_choices, audit_action_label, audit_channel_label
from ebank.core.models import AuditEvent

from .people import people_manager
from .roles import Role, has_role

PAGE_SIZE = 50


def worklog_scope(staff) -> str:
    """Whose actions ``staff`` reads: "all", "branch" or "own"."""
    if people_manager(staff):
        return "all"
    if has_role(staff, Role.SUPERVISOR) and staff.branch_id is not None:
        return "branch"
    return "own"


def worklog_events(*, staff) -> QuerySet[AuditEvent]:
    """The staff actions ``staff`` may read, newest first."""
    events = AuditEvent.objects.select_related("actor__branch").order_by("-occurred_at", "-id")
    scope = worklog_scope(staff)
    if scope == "own":
        return events.filter(actor=staff)
    staff_actions = events.filter(actor__is_staff=True, actor__customer__isnull=True)
    if scope == "branch":
        return staff_actions.filter(actor__branch_id=staff.branch_id)
    return staff_actions


class WorklogFilterForm(forms.Form):
    date_from = forms.DateField(label="起始日期", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    action = forms.ChoiceField(label="操作", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部"), *audit_action_choices()]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return cleaned


def worklog_filtered(events: QuerySet[AuditEvent], form: WorklogFilterForm) -> QuerySet:
    if not form.is_valid():
        return events
    data = form.cleaned_data
    if data["date_from"]:
        events = events.filter(occurred_at__date__gte=data["date_from"])
    if data["date_to"]:
        events = events.filter(occurred_at__date__lte=data["date_to"])
    if data["action"]:
        events = events.filter(action=data["action"])
    return events


def _customer_names(events) -> dict[int, str]:
    ids = {event.customer_id for event in events if event.customer_id}
    return {customer.pk: f"{customer.name}（{customer.cif_no}）"
            for customer in Customer.objects.filter(pk__in=ids).only("name", "cif_no")}


def _staff_name(user) -> str:
    if user is None:
        return ""
    name = f"{user.last_name}{user.first_name}"
    return f"{user.username}（{name}）" if name else user.username


def worklog_view(site, request):
    form = WorklogFilterForm(request.GET or None)
    events = worklog_filtered(worklog_events(staff=request.user), form)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    customers = _customer_names(page.object_list)
    rows = [{
        "occurred_at": event.occurred_at,
        "staff": _staff_name(event.actor),
        "action": audit_action_label(event.action, event.detail),
        "customer": customers.get(event.customer_id, ""),
        "object_ref": event.object_ref,
        "outcome": event.get_outcome_display(),
        "channel": audit_channel_label(event.channel),
    } for event in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    scope_titles = {"own": "本人的操作", "branch": "本行社员工的操作", "all": "全部员工的操作"}
    return TemplateResponse(request, "admin/worklog.html", {
        **site.each_context(request), "title": "工作日志", "form": form, "page": page,
        "rows": rows, "query": query.urlencode(),
        "scope_title": scope_titles[worklog_scope(request.user)],
    })


def urlpatterns(site) -> list:
    return [path("worklog/", site.admin_view(lambda request: worklog_view(site, request)),
                 name="worklog")]
