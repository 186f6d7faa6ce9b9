"""Staff roles (security/staff/roles.py): the groups exist after migrate, each with its
permissions; a member of staff has the highest role of their groups; customers have none."""

import pytest
from django.contrib.auth.models import Group

from security.models import User
from security.staff.roles import (
    Role,
    has_role,
    role_grant,
    role_permissions,
    roles_ensure,
    staff_role,
    staff_role_set,
)

pytestmark = pytest.mark.django_db


def _codenames(role) -> set[str]:
    group = Group.objects.get(name=Role(role).label)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_the_three_groups_exist_after_migrate_with_their_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"柜员", "主管", "总行管理员"} <= names
    for role in Role:
        expected = {f"{app}.{action}_{model}" for app, model, actions in role_permissions(role)
                    for action in actions}
        assert _codenames(role) == expected


def test_an_apps_grant_to_tellers_reaches_the_roles_above_and_only_those(monkeypatch):
    from security.staff import roles

    monkeypatch.setattr(roles, "_GRANTS", {role: [] for role in Role})
    role_grant(Role.TELLER, [("core", "auditevent", ["view"])])
    role_grant(Role.SUPERVISOR, [("limits", "dailylimitusage", ("view",))])
    role_grant(Role.SUPERVISOR, [("limits", "dailylimitusage", ("view",))])  # again: harmless
    assert roles._GRANTS[Role.SUPERVISOR] == [("limits", "dailylimitusage", ("view",))]
    roles_ensure()
    assert "limits.view_dailylimitusage" not in _codenames(Role.TELLER)
    assert "limits.view_dailylimitusage" in _codenames(Role.SUPERVISOR)
    assert "limits.view_dailylimitusage" in _codenames(Role.HEAD_OFFICE)
    assert ("core", "auditevent", ("view",)) in role_permissions(Role.HEAD_OFFICE)


def test_tellers_cannot_change_limits_supervisors_can():
    assert "limits.change_limitpolicy" not in _codenames(Role.TELLER)
    assert "limits.add_limitpolicy" not in _codenames(Role.TELLER)
    assert "limits.change_limitpolicy" in _codenames(Role.SUPERVISOR)


def test_roles_ensure_is_idempotent_and_repairs_a_group():
    group = Group.objects.get(name="柜员")
    group.permissions.clear()
    roles_ensure()
    roles_ensure()
    assert Group.objects.filter(name="柜员").count() == 1
    assert "accounts.view_customer" in _codenames(Role.TELLER)


def test_staff_role_is_the_highest_group_and_superuser_is_head_office():
    user = User.objects.create_user("s1", password="x", is_staff=True)
    assert staff_role(user) is None
    staff_role_set(user, Role.TELLER)
    assert staff_role(User.objects.get(pk=user.pk)) == Role.TELLER
    staff_role_set(user, Role.SUPERVISOR)
    fresh = User.objects.get(pk=user.pk)
    assert staff_role(fresh) == Role.SUPERVISOR
    assert list(fresh.groups.values_list("name", flat=True)) == ["主管"]
    assert has_role(fresh, Role.SUPERVISOR, Role.HEAD_OFFICE)
    assert not has_role(fresh, Role.TELLER)
    boss = User.objects.create_superuser("boss", password="x")
    assert staff_role(boss) == Role.HEAD_OFFICE


def test_inactive_staff_and_non_staff_have_no_role():
    user = User.objects.create_user("s2", password="x", is_staff=False)
    staff_role_set(user, Role.SUPERVISOR)
    assert staff_role(User.objects.get(pk=user.pk)) is None
    user.is_staff, user.is_active = True, False
    user.save()
    assert staff_role(User.objects.get(pk=user.pk)) is None
