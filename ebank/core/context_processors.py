from django.conf import settings


def bank(request):
    return {"BANK_NAME": settings.BANK_NAME, "BANK_FULL_NAME": settings.BANK_FULL_NAME}
