from django.urls import path, re_path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.list_view, name="list"),
    path("enrol/", views.enrol_view, name="enrol"),
    path("mine/", views.mine_view, name="mine"),
    path("households/<int:household_id>/", views.household_view, name="household"),
    path("households/<int:household_id>/add/", views.beneficiary_add_view, name="add"),
    path("households/<int:household_id>/transfer/", views.transfer_view, name="transfer"),
    path("households/<int:household_id>/resign/", views.resign_view, name="resign"),
    path("households/<int:household_id>/cover/", views.coverage_view, name="cover"),
    path("persons/<int:person_id>/edit/", views.person_edit_view, name="person_edit"),
    path("beneficiaries/<int:membership_id>/status/", views.status_view, name="status"),
    path("beneficiaries/<int:membership_id>/card/", views.card_issue_view, name="card_issue"),
    path("beneficiaries/<int:membership_id>/card.pdf", views.card_pdf_view, name="card_pdf"),
    path("beneficiaries/<int:membership_id>/photo/", views.photo_view, name="photo"),
    path("duplicates/", views.duplicates_view, name="duplicates"),
    path("duplicates/<int:candidate_id>/", views.duplicate_view, name="duplicate"),
    path("import/", views.import_view, name="import"),
    path("import/<int:import_id>/", views.import_detail_view, name="import_detail"),
    path("import/<int:import_id>/errors.csv", views.import_errors_view, name="import_errors"),
    re_path(
        r"^import/template\.(?P<fmt>csv|xlsx)$", views.import_template_view, name="import_template"
    ),
]
