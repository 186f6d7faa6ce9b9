"""Shared helpers of the auth tests (no tests here): the demo bank, customer users, logins."""

from django.conf import settings
from django.test import Client

from accounts.demo import DEMO_PIN, resident_id_number, seed_demo_bank
from accounts.models import Customer, LinkedMedium, Medium, MediumKind
from security.models import RegistrationChannel, User

PASSWORD = "Huaihe#River2026"
NEW_PASSWORD = "Chaohu@Lake2027"
PIN = DEMO_PIN
# 张伟 of the demo bank: his debit card, his ID number.
ZHANG_ID_BODY = "34010419850312351"
ZHANG_CARD = "6226790101000000013"


def bank() -> list[Customer]:
    return seed_demo_bank()


def zhang_id_number() -> str:
    return resident_id_number(ZHANG_ID_BODY)


def first_medium(customer: Customer) -> Medium:
    return customer.media.filter(kind=MediumKind.DEBIT_CARD).order_by("number").first()


def customer_user(customer: Customer, *, username: str, password: str = PASSWORD,
                  **fields) -> User:
    user = User.objects.create_user(
        username=username, password=password, customer=customer, first_name=customer.name,
        registration_channel=fields.pop("registration_channel", RegistrationChannel.COUNTER),
        **fields,
    )
    medium = first_medium(customer)
    if medium is not None and not LinkedMedium.objects.filter(medium=medium).exists():
        LinkedMedium.objects.create(customer=customer, medium=medium, position=1)
    return user


def login_data(login_name: str, password: str, captcha: str = "PASSED") -> dict:
    return {"login_name": login_name, "password": password,
            "captcha_0": "test-key", "captcha_1": captcha}


def login(client: Client, login_name: str, password: str = PASSWORD, captcha: str = "PASSED"):
    return client.post("/login", login_data(login_name, password, captcha))


def session_key(client: Client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None
