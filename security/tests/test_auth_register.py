"""网上自助注册 through the wizard's pages."""

import pytest

from accounts.models import IdType, LinkedMedium
from ebank.core.models import AuditEvent
from security.identity.services import REGISTER_MISMATCH_MESSAGE
from security.models import RegistrationChannel, SmsCode, User
from security.tools.sms import sms_outbox_latest_code

from .test_auth_helpers import (
    PASSWORD,
    PIN,
    ZHANG_CARD,
    bank,
    customer_user,
    login,
    zhang_id_number,
)

pytestmark = pytest.mark.django_db
ZHANG_PHONE = "13805510001"


@pytest.fixture
def customers():
    return bank()


def identity(**overrides):
    data = {"number": ZHANG_CARD, "pin": PIN, "name": "张伟", "id_type": IdType.RESIDENT_ID,
            "id_number": zhang_id_number(), "captcha_0": "k", "captcha_1": "PASSED"}
    data.update(overrides)
    return data


def agree(client):
    response = client.post("/register", {"agree": "on"})
    assert response["Location"] == "/register/identity"


def through_sms(client):
    agree(client)
    assert client.post("/register/identity", identity())["Location"] == "/register/sms"
    code = sms_outbox_latest_code(phone=ZHANG_PHONE)
    assert client.post("/register/sms", {"code": code})["Location"] == "/register/login"


def test_the_whole_registration(client, customers):
    page = client.get("/register")
    assert page.status_code == 200 and "个人电子银行服务协议" in page.content.decode()
    refused = client.post("/register", {})
    assert "请阅读协议并勾选" in refused.content.decode()
    agree(client)
    assert client.post("/register/identity", identity())["Location"] == "/register/sms"
    sms_page = client.get("/register/sms").content.decode()
    assert "验证码已发送至尾号0001的手机" in sms_page
    wrong = client.post("/register/sms", {"code": "000000"})
    assert "短信验证码错误" in wrong.content.decode()
    code = sms_outbox_latest_code(phone=ZHANG_PHONE)
    assert client.post("/register/sms", {"code": code})["Location"] == "/register/login"
    taken = client.post("/register/login", {"username": "12345678", "password": PASSWORD,
                                             "confirm_password": PASSWORD})
    html = taken.content.decode()
    assert "不能全部为数字" in html and 'value="12345678"' in html and PASSWORD not in html
    weak = client.post("/register/login", {"username": "zhang_01", "password": "password",
                                           "confirm_password": "password"})
    assert weak.context["form"].errors["password"]
    ok = client.post("/register/login", {"username": "zhang_01", "password": PASSWORD,
                                         "confirm_password": PASSWORD})
    assert ok["Location"] == "/register/review"
    review = client.get("/register/review").content.decode()
    assert "6226 **** **** 0013" in review and ZHANG_CARD not in review
    assert zhang_id_number() not in review and "138****0001" in review and "zhang_01" in review
    assert not User.objects.filter(customer=customers[0]).exists()
    done = client.post("/register/review")
    assert done["Location"] == "/register/done"
    assert "注册成功" in client.get("/register/done").content.decode()
    user = User.objects.get(customer=customers[0])
    assert user.username == "zhang_01" and user.registration_channel == RegistrationChannel.ONLINE
    assert LinkedMedium.objects.get(customer=customers[0]).position == 1
    assert AuditEvent.objects.filter(action="register_online", actor=user).exists()
    assert "password_hash" not in str(dict(client.session))
    # The new user logs in with what they set.
    assert login(client, "zhang_01")["Location"] == "/"


@pytest.mark.parametrize("overrides", [
    {"number": "6226790101000000047"},
    {"number": "6226790101000000000"},
    {"pin": "000000"},
    {"name": "张三"},
    {"id_number": "340104198503123510"},
    {"id_type": IdType.PASSPORT},
])
def test_each_mismatch_keeps_the_page_and_what_was_typed_but_the_pin(client, customers,
                                                                    overrides):
    agree(client)
    data = identity(**overrides)
    response = client.post("/register/identity", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert REGISTER_MISMATCH_MESSAGE in html
    assert f'value="{data["number"]}"' in html and f'value="{data["name"]}"' in html
    assert f'value="{data["pin"]}"' not in html
    assert not SmsCode.objects.exists()


def test_a_registered_customer_cannot_register_again(client, customers):
    customer_user(customers[0], username="zhangwei")
    agree(client)
    response = client.post("/register/identity", identity())
    assert "已开通个人网上银行" in response.content.decode()


def test_bad_shapes_are_field_errors(client, customers):
    agree(client)
    response = client.post("/register/identity", identity(number="abc", pin="12", captcha_1="X"))
    errors = response.context["form"].errors
    assert {"number", "pin", "captcha"} <= set(errors)


def test_steps_cannot_be_skipped(client, customers):
    for path in ("/register/identity", "/register/sms", "/register/login", "/register/review"):
        assert client.get(path)["Location"] == "/register"
    agree(client)
    assert client.get("/register/review")["Location"] == "/register/identity"
    assert client.post("/register/login", {"username": "zhang_01", "password": PASSWORD,
                                           "confirm_password": PASSWORD})["Location"] \
        == "/register/identity"
    assert client.get("/register/done")["Location"] == "/register"


def test_the_sms_code_is_bound_to_this_registration(client, customers):
    """A code sent for another wizard run (another digest) does not pass this one."""
    from django.test import Client

    other = Client()
    agree(other)
    other.post("/register/identity", identity())
    other_code = sms_outbox_latest_code(phone=ZHANG_PHONE)
    agree(client)
    # Within the resend throttle this run gets no code of its own, so the step refuses.
    response = client.post("/register/identity", identity())
    assert "频繁" in response.content.decode()
    SmsCode.objects.update(created_at="2000-01-01T00:00:00Z")
    assert client.post("/register/identity", identity())["Location"] == "/register/sms"
    mine = sms_outbox_latest_code(phone=ZHANG_PHONE)
    if mine != other_code:
        refused = client.post("/register/sms", {"code": other_code})
        assert "短信验证码错误" in refused.content.decode()
    assert client.post("/register/sms", {"code": mine})["Location"] == "/register/login"


def test_cancel_clears_the_wizard(client, customers):
    through_sms(client)
    assert client.post("/register/cancel")["Location"] == "/login"
    assert client.get("/register/login")["Location"] == "/register"


def test_a_logged_in_customer_is_not_offered_registration(client, customers):
    customer_user(customers[0], username="zhangwei")
    login(client, "zhangwei")
    assert client.get("/register")["Location"] == "/"
