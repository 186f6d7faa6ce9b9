from django.apps import AppConfig

from ebank.core.demo import demo_part
from ebank.core.menu import MenuSpec, menu_group, menu_leaf


class SecurityConfig(AppConfig):
    name = "security"
    label = "security"
    verbose_name = "安全与客户服务"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import nightly  # noqa: F401  (registers the nightly batch steps)

        # Register the confirmation kinds of 安全中心 and 客户服务 (X-CONFIRM executors).
        from .center import operations  # noqa: F401

        # The staff admin lives in security/staff/ (Django's autodiscover looks only for
        # security/admin.py). The admin app is first in INSTALLED_APPS, so its autodiscover has
        # run: django_otp's TOTPDevice admin is registered before staff.admin replaces it.
        from .staff import (
            admin,  # noqa: F401
            admin_limits,  # noqa: F401  (行社限额 through 复核)
        )
        from .staff.approvals import admin as approvals_admin  # noqa: F401  (复核申请)
        from .staff.counter import loss  # noqa: F401  (书面挂失, 解除挂失: counter actions)

        # Staff roles (柜员, 主管, 总行管理员) as groups, kept current after every migrate.
        from .staff.roles import roles_ensure
        from .tools import checks  # noqa: F401  (the SMS channel's system checks)
        post_migrate.connect(roles_ensure, dispatch_uid="security.staff.roles_ensure")

        # Menu groups (ebank.core.menu): 首页, then 客户服务 and 安全中心 after the product groups.
        menu_group(10, menu_leaf("首页", "security:home"))
        menu_group(90, MenuSpec("客户服务", children=(
            menu_leaf("手机银行管理", "security:mobile"),
            menu_leaf("短信服务管理", "security:sms_service"),
            menu_leaf("签约信息查询", "security:signing_info"),
            menu_leaf("登录设置管理", "security:login_settings"),
            menu_leaf("个人资料变更", "security:profile"),
            menu_leaf("核心预留手机号管理", "security:core_phone"),
            menu_leaf("留言管理", "security:messages"),
        )))
        menu_group(100, MenuSpec("安全中心", children=(
            menu_leaf("预留信息变更", "security:reserved_message"),
            menu_leaf("限额管理", "security:limits"),
            menu_leaf("密码管理", "security:password_change"),
            # 积分管理 (SEC-CENTER): the one points balance, kept by 信用卡业务.
            menu_leaf("积分查询", "creditcard:points"),
            menu_leaf("积分兑换", "creditcard:gifts"),
        )))

        # Audit action labels (ebank.core.audit): the table and the rules for counter, admin and
        # confirmation rows.
        from ebank.core.audit import audit_actions

        from .audit_labels import LABELS
        audit_actions(LABELS)

        # Demo data (ebank.core.demo): e-banking users and staff, after accounts' customers.
        from .demo import demo_seed
        demo_part(30, demo_seed)
