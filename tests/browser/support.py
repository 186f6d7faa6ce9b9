"""Steps the browser tests share."""

from playwright.sync_api import Page, expect

from tests.customer_world import LOGIN_PASSWORD


def login(page: Page, base: str, username: str):
    """Log in through the login page (the test settings' 附加码 accepts PASSED)."""
    page.goto(f"{base}/login")
    page.fill("#id_login_name", username)
    page.fill("#id_password", LOGIN_PASSWORD)
    page.fill("#id_captcha_1", "PASSED")
    page.click("button[type=submit]:has-text('登录')")
    expect(page).to_have_url(f"{base}/")
