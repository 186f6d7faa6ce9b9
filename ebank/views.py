"""The error pages: in Chinese and in the site's layout (templates/400.html … 500.html).

Django's own views serve 400, 403 and 404 with these templates (the request's context, so a
logged-in customer keeps the menu). Two need a view of ours:

* a refused CSRF token (``CSRF_FAILURE_VIEW``): Django's page is English and shows the reason;
* 500 (``handler500``): rendered without the request's context processors — the error may be
  the database itself — but with the layout's links, so the page still has its stylesheet.
"""

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from ebank.core.web import urls_key
from security.context_processors import _layout_urls


def csrf_failure(request, reason: str = "", template_name: str = "403_csrf.html"):
    # The reason stays in the log (django.security.csrf), never on the page.
    return render(request, template_name, status=403)


def server_error(request, template_name: str = "500.html"):
    context = {
        "BANK_NAME": settings.BANK_NAME,
        "BANK_FULL_NAME": settings.BANK_FULL_NAME,
        "layout_urls": _layout_urls(*urls_key(), settings.STATIC_URL),
    }
    return HttpResponseServerError(loader.get_template(template_name).render(context))
