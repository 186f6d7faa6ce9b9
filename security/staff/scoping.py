"""Branch scoping of the staff admin: a teller sees and acts only on the customers of the branch
(行社) they work at; head office (``User.is_head_office``: a head-office branch or a superuser)
sees every branch.

* ``BranchScopedAdminMixin`` filters ``get_queryset`` by a path to the customer's branch, so the
  changelist, search, filters, actions and change views of every customer-bearing ModelAdmin
  only ever reach in-scope rows (another branch's row is "does not exist": a redirect, never
  its data).
* ``StaffAuditMixin`` turns every admin write (Django's LogEntry hooks) into an AuditEvent too.
* What each role may do is in ``roles`` (柜员, 主管, 总行管理员).
The counter services check the same rule themselves (``security.staff.counter.common``): the admin
is not the only guard.
"""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Customer
from ebank.core.audit import audit_record


def head_office(user) -> bool:
    """Whether ``user`` sees every branch (False for anonymous and customer users)."""
    return bool(getattr(user, "is_staff", False) and getattr(user, "is_head_office", False))


def scope_queryset(queryset: QuerySet, *, staff, branch_path: str) -> QuerySet:
    """``queryset`` narrowed to rows whose ``branch_path`` is the staff member's branch."""
    if head_office(staff):
        return queryset
    branch_id = getattr(staff, "branch_id", None)
    if not staff.is_staff or branch_id is None:
        return queryset.none()
    return queryset.filter(**{branch_path: branch_id})


def customers_visible_to(staff) -> QuerySet[Customer]:
    return scope_queryset(Customer.objects.select_related("branch"), staff=staff,
                          branch_path="branch")


def customer_get_for_staff(*, staff, customer_id) -> Customer:
    """The customer by id if the staff member may see it; anything else is a 404."""
    try:
        return customers_visible_to(staff).get(pk=int(customer_id))
    except (Customer.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("客户不存在") from exc


class StaffAuditMixin:
    """Every add, change and delete made in the admin also writes an AuditEvent (X-LOG)."""

    def _audit(self, request, obj, verb: str) -> None:
        meta = obj._meta
        audit_record(action=f"admin_{verb}", actor=request.user, channel="admin",
                     customer_id=self.audit_customer_id(obj),
                     object_ref=f"{meta.app_label}.{meta.model_name}:{obj.pk}",
                     detail={"model": str(meta.verbose_name)})

    def audit_customer_id(self, obj) -> int | None:
        return None

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "add")
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "change")
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "delete")
        return super().log_deletions(request, queryset)


class BranchScopedAdminMixin(StaffAuditMixin):
    """For ModelAdmins of customer-bearing models: set ``branch_path`` to the customer's branch."""

    branch_path: str = "customer__branch"

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), staff=request.user,
                              branch_path=self.branch_path)

    def get_list_filter(self, request):
        filters = tuple(super().get_list_filter(request))
        if head_office(request.user):
            return (*filters, self.branch_path)
        return filters
