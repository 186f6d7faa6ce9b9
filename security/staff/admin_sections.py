"""The staff admin's index as a teller's workstation: models grouped and ordered for the work.

Django's index lists one box per app, alphabetically; the counter works by task instead. The
site (``StaffAdminSite.get_app_list``) regroups the models it lists into *sections*, in this
order:

    10 客户与账户 · 20 网银用户与安全工具 · 30 业务受理与留言 · 40 限额 · 50 交易
    (500 an app's own section, see below) · 560 机构与员工 (行社; 员工 for head office)
    head office's areas (总行管理): 610 账务 · 620 批处理 · 630 清算
    1000 审计日志 (always last)

Where a model goes is one table, :data:`PLACEMENTS`, keyed by ``(app_label, model_name)`` or by
``(app_label, None)`` for every model of an app. A model no row names is not lost: it goes to a
section of its app, named after the app's ``verbose_name``, placed at ``APP_SECTION_ORDER``
(after the counter's own sections, before the head-office areas), models by name. A menu app
that wants its models elsewhere registers the place from its ``ready()``::

    from security.staff.admin_sections import admin_section_place
    admin_section_place("deposits", "fixeddeposit", section="accounts", order=50)

Each user sees only the sections that hold a model they may see (Django's permissions decide
which models are listed; nothing here grants anything).
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class AdminSection:
    key: str
    name: str
    order: int
    head_office_area: bool = False


SECTIONS: dict[str, AdminSection] = {section.key: section for section in (
    AdminSection("accounts", "客户与账户", 10),
    AdminSection("ebank", "网银用户与安全工具", 20),
    AdminSection("counter", "业务受理与留言", 30),
    AdminSection("limits", "限额", 40),
    AdminSection("transactions", "交易", 50),
    AdminSection("books", "账务", 610, head_office_area=True),
    AdminSection("batch", "批处理", 620, head_office_area=True),
    AdminSection("clearing", "清算", 630, head_office_area=True),
    AdminSection("organisation", "机构与员工", 560),
    AdminSection("audit", "审计日志", 1000, head_office_area=False),
)}

# Sections made for apps no row places come after the counter's work, before head office's.
APP_SECTION_ORDER = 500


@dataclass(frozen=True)
class Placement:
    section: str
    order: int
    # The name the index gives the model, where its own verbose name is not the bank's word
    # (a third-party model's English one, Django's 组 for the roles).
    name: str | None = None


# (app_label, model_name or None for the whole app) → where it is listed, in the order of
# the work: the customer first, then what they hold.
PLACEMENTS: dict[tuple[str, str | None], Placement] = {
    ("accounts", "customer"): Placement("accounts", 10),
    ("accounts", "medium"): Placement("accounts", 20),
    ("accounts", "subaccount"): Placement("accounts", 30),
    ("accounts", "linkedmedium"): Placement("accounts", 40),
    ("security", "user"): Placement("ebank", 10),
    ("security", "securitytool"): Placement("ebank", 20),
    ("security", "toolregisterentry"): Placement("ebank", 30),
    ("security", "mobilebankingagreement"): Placement("ebank", 40),
    ("security", "smssubscription"): Placement("ebank", 50),
    ("security", "smsmessage"): Placement("ebank", 60),
    ("security", "counterreceipt"): Placement("counter", 10),
    ("security", "customermessage"): Placement("counter", 20),
    ("security", "approvalrequest"): Placement("counter", 30),
    ("limits", "limitpolicy"): Placement("limits", 10),
    ("limits", "dailylimitusage"): Placement("limits", 20),
    ("transfers", "transfer"): Placement("transactions", 10),
    ("transfers", "payee"): Placement("transactions", 20),
    ("security", "pendingoperation"): Placement("transactions", 30),
    ("ledger", None): Placement("books", 10),
    ("ledger", "ledgeraccount"): Placement("books", 10),
    ("ledger", "entry"): Placement("books", 20),
    ("ledger", "posting"): Placement("books", 30),
    ("ledger", "hold"): Placement("books", 40),
    ("duework", None): Placement("batch", 10),
    ("duework", "batchsteprun"): Placement("batch", 10),
    ("duework", "duework"): Placement("batch", 20),
    ("clearing", None): Placement("clearing", 10),
    ("clearing", "holiday"): Placement("clearing", 10),
    ("clearing", "bankcode"): Placement("clearing", 20),
    ("accounts", "branch"): Placement("organisation", 10),
    ("accounts", "bank"): Placement("organisation", 20),
    ("security", "staffmember"): Placement("organisation", 30),
    ("security", "staffotpdevice"): Placement("organisation", 40),
    ("auth", "group"): Placement("organisation", 50, "员工角色"),
    ("core", "auditevent"): Placement("audit", 10),
}

# An unplaced model sorts after the placed ones of its section.
UNPLACED_ORDER = 900


def admin_section_place(app_label: str, model_name: str | None = None, *, section: str,
                        order: int = UNPLACED_ORDER) -> None:
    """Put a model (or, with ``model_name=None``, every model of the app) in a section.

    The same place again is harmless (``ready()`` run twice); another place for a model already
    placed, or a section that does not exist, is refused."""
    if section not in SECTIONS:
        raise ImproperlyConfigured(f"后台分区 {section!r} 不存在：{sorted(SECTIONS)}")
    key = (app_label, model_name.lower() if model_name else None)
    placement = Placement(section, order)
    existing = PLACEMENTS.get(key)
    if existing is not None and existing != placement:
        raise ImproperlyConfigured(f"{key} 已放在后台分区 {existing.section!r}")
    PLACEMENTS[key] = placement


def placement_of(app_label: str, model_name: str) -> Placement | None:
    """Where the table puts this model: its own row, else its app's row, else None."""
    return PLACEMENTS.get((app_label, model_name.lower())) or PLACEMENTS.get((app_label, None))


def sections_arrange(app_list: list[dict], *, index_url: str) -> list[dict]:
    """Django's ``app_list`` (one dict per app, each with its ``models``) regrouped as sections.

    The result has the shape of Django's (``name``, ``app_label``, ``app_url``, ``models`` …)
    so Django's own templates (the nav sidebar) read it unchanged; ``app_url`` points at the
    section on the index, ``head_office_area`` tells the index which are head office's.
    """
    grouped: dict[str, dict] = {}
    for app in app_list:
        for model in app["models"]:
            opts = model["model"]._meta
            placement = placement_of(opts.app_label, opts.model_name)
            if placement is not None:
                section = SECTIONS[placement.section]
                key, name, order = section.key, section.name, section.order
                head_office_area = section.head_office_area
                model_order = placement.order
                if placement.name:
                    model = {**model, "name": placement.name}
            else:
                key, name, order = f"app-{opts.app_label}", app["name"], APP_SECTION_ORDER
                head_office_area = False
                model_order = UNPLACED_ORDER
            entry = grouped.setdefault(key, {
                "name": name, "app_label": f"section-{key}", "app_url": f"{index_url}#{key}",
                "section_key": key, "has_module_perms": True, "models": [],
                "order": order, "head_office_area": head_office_area,
            })
            entry["models"].append((model_order, str(model["name"]), model))
    sections = sorted(grouped.values(), key=lambda s: (s["order"], str(s["name"])))
    for section in sections:
        section["models"] = [model for _order, _name, model in sorted(
            section["models"], key=lambda item: (item[0], item[1]))]
    return sections
