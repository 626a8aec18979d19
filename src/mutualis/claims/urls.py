from django.urls import path

from . import views, views_batch, views_review

app_name = "claims"
urlpatterns = [
    path("", views.claim_list_view, name="list"),
    path("new/", views.claim_new_view, name="new"),
    path("review/", views_review.queue_view, name="review"),
    path("review/settings/", views_review.review_settings_view, name="review_settings"),
    path("review/<int:claim_id>/", views_review.review_claim_view, name="review_claim"),
    path("review/<int:claim_id>/approve/", views_review.review_approve_view, name="review_approve"),
    path("authorisations/", views_review.authorisation_list_view, name="authorisations"),
    path(
        "authorisations/<int:authorisation_id>/",
        views_review.authorisation_view,
        name="authorisation",
    ),
    path("feedback/", views_review.feedback_list_view, name="feedback_list"),
    path("feedback/<int:question_id>/", views_review.feedback_view, name="feedback"),
    path("export.xlsx", views.export_view, name="export"),
    path("batches/", views.batches_view, name="batches"),
    path("adjudicate/", views_batch.adjudicate_view, name="adjudicate"),
    path("batches/<int:batch_id>/", views.batch_view, name="batch"),
    path("<int:claim_id>/", views.claim_detail_view, name="detail"),
    path("<int:claim_id>/correct/", views.claim_correct_view, name="correct"),
    path("<int:claim_id>/eob/", views.eob_view, name="eob"),
    path("<int:claim_id>/eob.pdf", views.eob_pdf_view, name="eob_pdf"),
    path("<int:claim_id>/lines/<int:position>/appeal/", views.appeal_view, name="appeal"),
]
