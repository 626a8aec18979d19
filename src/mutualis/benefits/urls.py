from django.urls import path

from . import views

app_name = "benefits"
urlpatterns = [
    path("", views.package_list_view, name="packages"),
    path("eligibility/", views.eligibility_view, name="eligibility"),
    path("catalogue/", views.catalogue_view, name="catalogue"),
    path("packages/new/", views.package_new_view, name="package_new"),
    path("packages/<int:package_id>/", views.package_view, name="package"),
    path("packages/<int:package_id>/pdf/", views.package_pdf_view, name="package_pdf"),
    path("packages/<int:package_id>/versions/", views.version_new_view, name="version_new"),
    path("versions/<int:version_id>/publish/", views.version_publish_view, name="version_publish"),
    path("versions/<int:version_id>/edit/", views.version_edit_view, name="version_edit"),
    path("rules/<int:rule_id>/", views.rule_edit_view, name="rule_edit"),
    path("rules/<int:rule_id>/remove/", views.rule_remove_view, name="rule_remove"),
    path("limits/<int:limit_id>/remove/", views.limit_remove_view, name="limit_remove"),
]
