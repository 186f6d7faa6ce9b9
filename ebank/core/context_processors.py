from django.conf import settings

from .menu import menu_html


def bank(request):
    return {"BANK_NAME": settings.BANK_NAME, "BANK_FULL_NAME": settings.BANK_FULL_NAME}


def menu(request):
    """The customer menu (ebank.core.menu), for customers only: staff and visitors get none."""
    user = getattr(request, "user", None)
    is_customer = bool(user is not None and user.is_authenticated
                       and getattr(user, "is_customer", False))
    return {"site_menu_html": menu_html(request.path) if is_customer else ""}
