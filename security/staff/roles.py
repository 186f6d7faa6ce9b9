"""Staff roles: 柜员 (teller), 主管 (branch supervisor), 总行管理员 (head office).

A role is a Django group of that name with its permissions (``ROLE_PERMISSIONS``); the groups
are created and kept up to date after every ``migrate`` (``roles_ensure``, connected from
``SecurityConfig.ready()``), so a fresh database, the tests and the demo all have them.

* 柜员 reads the customer-bearing lists of the branch and does the counter work; cannot change
  limits or approve anything.
* 主管 does what a teller does, sets the branch's limits (through an approval) and approves
  (复核) the requests of others at the branch.
* 总行管理员 works at head office: every branch, the bank-wide limits, 员工管理, the books.

The role decides what a member of staff may *do*; the branch (``User.branch`` and
``User.is_head_office``) decides *whom* they may do it for (``scoping``). A superuser counts as
总行管理员. Services check roles themselves with ``has_role`` (the admin is not the only guard).
"""

from django.contrib.auth.models import Group, Permission
from django.db import models


class Role(models.TextChoices):
    TELLER = "teller", "柜员"
    SUPERVISOR = "supervisor", "主管"
    HEAD_OFFICE = "head_office", "总行管理员"


# Highest first: a member of staff in two groups has the higher role.
ROLE_ORDER = (Role.HEAD_OFFICE, Role.SUPERVISOR, Role.TELLER)

_TELLER = (
    ("accounts", "bank", ("view",)),
    ("accounts", "branch", ("view",)),
    ("accounts", "customer", ("view",)),
    ("accounts", "medium", ("view",)),
    ("accounts", "subaccount", ("view",)),
    ("accounts", "linkedmedium", ("view",)),
    ("security", "user", ("view",)),
    ("security", "securitytool", ("view",)),
    ("security", "toolregisterentry", ("view",)),
    ("security", "counterreceipt", ("view",)),
    ("security", "customermessage", ("view", "change")),
    ("security", "pendingoperation", ("view",)),
    ("security", "smsmessage", ("view",)),
    ("security", "smssubscription", ("view",)),
    ("security", "mobilebankingagreement", ("view",)),
    ("core", "auditevent", ("view",)),
    ("transfers", "transfer", ("view",)),
    ("transfers", "payee", ("view",)),
    ("limits", "limitpolicy", ("view",)),
    ("security", "approvalrequest", ("view",)),
    ("deposits", "depositrate", ("view",)),
    ("deposits", "deposit", ("view",)),
    ("deposits", "largecdproduct", ("view",)),
    ("deposits", "lingcunbaosetting", ("view",)),
    ("deposits", "youyuebaosetting", ("view",)),
)
_SUPERVISOR = (
    *_TELLER,
    ("limits", "limitpolicy", ("add", "change")),
)

# (app_label, model, actions) granted to each role's group. Head office staff are usually
# superusers; the group gives a non-superuser head-office member the same reach.
ROLE_PERMISSIONS: dict[str, tuple] = {
    Role.TELLER: _TELLER,
    Role.SUPERVISOR: _SUPERVISOR,
    Role.HEAD_OFFICE: (
        *_SUPERVISOR,
        ("security", "user", ("add", "change")),
        # 员工管理 and 员工动态口令 (the admin also requires a head-office branch: people.py)
        ("security", "staffmember", ("view", "add")),
        ("security", "staffotpdevice", ("view",)),
        ("limits", "dailylimitusage", ("view",)),
        ("deposits", "depositrate", ("add", "change", "delete")),
        ("deposits", "largecdproduct", ("add", "change", "delete")),
        ("deposits", "lingcunbaosetting", ("add", "change", "delete")),
        ("deposits", "youyuebaosetting", ("add", "change", "delete")),
        ("deposits", "currentaccrual", ("view",)),
        ("ledger", "entry", ("view",)),
        ("ledger", "ledgeraccount", ("view",)),
    ),
}


def role_group_name(role: str) -> str:
    return Role(role).label


def role_group_ensure(role: str) -> Group:
    """The role's group with exactly the permissions of ``ROLE_PERMISSIONS`` (idempotent)."""
    group, _ = Group.objects.get_or_create(name=role_group_name(role))
    wanted = []
    for app_label, model, actions in ROLE_PERMISSIONS[role]:
        for action in actions:
            permission = Permission.objects.filter(content_type__app_label=app_label,
                                                   codename=f"{action}_{model}").first()
            if permission is not None:  # an app left out of INSTALLED_APPS grants nothing
                wanted.append(permission)
    group.permissions.set(wanted)
    return group


def roles_ensure(sender=None, **_signal_kwargs) -> None:
    """Every role's group. Connected to ``post_migrate``, which is sent once per app: it acts
    on the last app's signal, when every app's permissions exist."""
    if sender is not None:
        from django.apps import apps

        if sender.label != list(apps.get_app_configs())[-1].label:
            return
    for role in Role:
        role_group_ensure(role)


def staff_role(user) -> Role | None:
    """The highest role of an active member of staff; None for customers and anonymous users."""
    if not (getattr(user, "is_staff", False) and getattr(user, "is_active", False)):
        return None
    if getattr(user, "customer_id", None) is not None:
        return None
    if user.is_superuser:
        return Role.HEAD_OFFICE
    names = _group_names(user)
    for role in ROLE_ORDER:
        if role.label in names:
            return role
    return None


def has_role(user, *roles: str) -> bool:
    """Whether ``user``'s role is one of ``roles``."""
    role = staff_role(user)
    return role is not None and role in roles


def staff_role_set(user, role: str) -> None:
    """Put a member of staff in exactly one role's group."""
    role_groups = Group.objects.filter(name__in=[r.label for r in Role])
    user.groups.remove(*role_groups)
    user.groups.add(role_group_ensure(role))
    _forget_groups(user)


def _group_names(user) -> set[str]:
    cached = getattr(user, "_role_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_group_names = cached
    return cached


def _forget_groups(user) -> None:
    user.__dict__.pop("_role_group_names", None)
