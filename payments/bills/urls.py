from django.urls import path

from payments.models import BillKind

from . import views

urlpatterns = [
    # One page per kind, each with a name of its own for the menu (payments:pay_water …);
    # payments:pay (kind) reverses to the same paths.
    *(path(f"pay/{kind}/", views.pay, {"kind": kind}, name=f"pay_{kind}") for kind in BillKind),
    path("pay/<str:kind>/", views.pay, name="pay"),
    path("records/", views.records, name="records"),
    path("records/<str:number>/", views.record, name="record"),
]
