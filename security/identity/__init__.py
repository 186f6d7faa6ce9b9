"""Identity and session: login, registration, passwords, the customer's session.

services            — login, lock, registration, password change, session binding (audited)
forms               — the login, registration and password forms; messages in Chinese
views, urls         — the pages (首页, 登录, 注册, 修改密码, session keepalive)
middleware          — session idle refresh, absolute lifetime, the session's user
throttles           — the per-address and per-identifier throttles, RATELIMIT_VIEW
password_validation — Django's password rules with the bank's Chinese messages

See docs/login-and-session.md.
"""
