from django.urls import path

from . import views

urlpatterns = [
    path("list/", views.loan_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/schedule.pdf", views.schedule_pdf, name="schedule_pdf"),
    path("<int:pk>/schedule.xlsx", views.schedule_xlsx, name="schedule_xlsx"),
]
