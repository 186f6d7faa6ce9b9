"""System checks of the SMS channel (run by every manage.py command, migrate included).

* ``security.E101``: the development outbox where ``SMS_OUTBOX_ALLOWED`` is off (production):
  codes would sit readable in the database and reach nobody. The compose stack's ``migrate``
  service runs the checks, so ``web`` (which waits for it) does not start.
* ``security.E102``: the HTTP gateway without ``SMS_GATEWAY_URL`` or ``SMS_GATEWAY_KEY``.
* ``security.E103``: an ``SMS_BACKEND`` that is not in the fixed table.
* ``security.W104``: a gateway URL over plain HTTP outside DEBUG (the key and codes travel in
  clear).
"""

from django.conf import settings
from django.core import checks


@checks.register("security")
def sms_backend_check(app_configs=None, **kwargs):
    from .sms import SMS_BACKENDS, HttpSmsBackend

    name = getattr(settings, "SMS_BACKEND", "")
    backend = SMS_BACKENDS.get(name)
    if backend is None:
        return [checks.Error(f"SMS_BACKEND={name!r} is not one of {sorted(SMS_BACKENDS)}",
                             id="security.E103")]
    errors = []
    if backend.outbox_holds_codes and not getattr(settings, "SMS_OUTBOX_ALLOWED", False):
        errors.append(checks.Error(
            "The development SMS outbox cannot be used here (SMS_OUTBOX_ALLOWED is off).",
            hint="Set SMS_BACKEND=security.tools.sms.HttpSmsBackend with SMS_GATEWAY_URL and "
                 "SMS_GATEWAY_KEY in the environment.",
            id="security.E101"))
    if issubclass(backend, HttpSmsBackend):
        url = getattr(settings, "SMS_GATEWAY_URL", "") or ""
        if not url or not getattr(settings, "SMS_GATEWAY_KEY", ""):
            errors.append(checks.Error(
                "The HTTP SMS gateway needs SMS_GATEWAY_URL and SMS_GATEWAY_KEY.",
                hint="Set both in the environment.", id="security.E102"))
        elif not url.startswith("https://") and not settings.DEBUG:
            errors.append(checks.Warning("SMS_GATEWAY_URL is not https://.",
                                         id="security.W104"))
    return errors
