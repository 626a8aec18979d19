from django.urls import path

from . import views

app_name = "contributions"
urlpatterns = [
    path("", views.counter_view, name="counter"),
    path("households/<int:household_id>/", views.household_view, name="household"),
    path(
        "households/<int:household_id>/statement.pdf",
        views.statement_pdf_view,
        name="statement_pdf",
    ),
    path("payments/<int:payment_id>/", views.payment_view, name="payment"),
    path("payments/<int:payment_id>/receipt.pdf", views.receipt_pdf_view, name="receipt_pdf"),
    path("payments/<int:payment_id>/reverse/", views.payment_reverse_view, name="payment_reverse"),
    path("schedules/", views.schedules_view, name="schedules"),
    path("schedules/<int:schedule_id>/", views.schedule_view, name="schedule"),
    path("schedules/<int:schedule_id>/subsidies/", views.subsidy_add_view, name="subsidy_add"),
    path("payers/new/", views.payer_create_view, name="payer_create"),
    path("runs/", views.runs_view, name="runs"),
    path("mobile-money/", views.momo_view, name="momo"),
    path("mobile-money/<int:import_id>/", views.momo_import_view, name="momo_import"),
    path("mobile-money/lines/<int:line_id>/match/", views.momo_match_view, name="momo_match"),
    path("payers/", views.payers_view, name="payers"),
    path("payers/<int:payer_id>/", views.payer_view, name="payer"),
    path("receipt-books/", views.receipt_books_view, name="receipt_books"),
    path("field/", views.field_payment_view, name="field_payment"),
    path("handover/", views.handover_view, name="handover"),
    path("handovers/<int:handover_id>/", views.handover_detail_view, name="handover_detail"),
    path("handovers/<int:handover_id>/slip.pdf", views.handover_pdf_view, name="handover_pdf"),
]
