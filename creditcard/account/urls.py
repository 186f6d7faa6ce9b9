from django.urls import path

from . import views

urlpatterns = [
    path("limit/", views.limit, name="limit"),
    path("unbilled/", views.unbilled, name="unbilled"),
    path("statements/", views.statements, name="statements"),
    path("statements/<int:pk>/", views.statement, name="statement"),
    path("statements/<int:pk>/pdf/", views.statement_pdf, name="statement_pdf"),
    path("statements/<int:pk>/xlsx/", views.statement_xlsx, name="statement_xlsx"),
    path("info/", views.info, name="info"),
]
