from django.urls import path

from . import views

app_name = "providers"
urlpatterns = [
    path("", views.provider_list_view, name="list"),
    path("<int:provider_id>/", views.provider_detail_view, name="detail"),
    path("agreements/<int:agreement_id>/", views.agreement_view, name="agreement"),
]
