"""The staff side (柜面管理): the OTP admin site, branch scoping, the counter work.

admin_apps     — ``StaffAdminConfig`` (INSTALLED_APPS lists it instead of django.contrib.admin)
admin_site     — ``StaffAdminSite``: password + TOTP, the counter pages under /admin/counter/
admin          — the security models' admins (registered from ``SecurityConfig.ready()``)
admin_accounts — the accounts models that carry customers
admin_counter  — the 柜面业务 pages
scoping        — branch scoping of every customer-bearing list and action
counter/       — the counter services, forms, receipt numbers and 业务受理单 PDFs

See docs/staff-operations.md.
"""
