from django.urls import path

from . import views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list_view, name="list"),
    path("new/", views.claim_new_view, name="new"),
    path("review/", views.review_view, name="review"),
    path("export.xlsx", views.export_view, name="export"),
    path("batches/", views.batches_view, name="batches"),
    path("batches/<int:batch_id>/", views.batch_view, name="batch"),
    path("<int:claim_id>/", views.claim_detail_view, name="detail"),
    path("<int:claim_id>/correct/", views.claim_correct_view, name="correct"),
    path("<int:claim_id>/eob/", views.eob_view, name="eob"),
    path("<int:claim_id>/eob.pdf", views.eob_pdf_view, name="eob_pdf"),
    path("<int:claim_id>/lines/<int:position>/appeal/", views.appeal_view, name="appeal"),
]
