from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("statutes/<int:organisation_id>/", views.statutes_view, name="statutes"),
    path("assemblies/new/", views.assembly_new_view, name="assembly_new"),
    path("assemblies/<int:assembly_id>/", views.assembly_view, name="assembly"),
    path("assemblies/<int:assembly_id>/convene/", views.convene_view, name="convene"),
    path("assemblies/<int:assembly_id>/documents/", views.document_view, name="document_add"),
    path(
        "assemblies/<int:assembly_id>/documents/<int:document_id>/",
        views.document_download_view,
        name="document",
    ),
    path("assemblies/<int:assembly_id>/freeze/", views.freeze_view, name="freeze"),
    path("assemblies/<int:assembly_id>/electorate/", views.electorate_view, name="electorate"),
    path("assemblies/<int:assembly_id>/letters.pdf", views.letters_view, name="letters"),
    path("assemblies/<int:assembly_id>/sms.csv", views.sms_view, name="sms"),
    path("assemblies/<int:assembly_id>/checkin/", views.checkin_view, name="checkin"),
    path("assemblies/<int:assembly_id>/screen/", views.screen_view, name="screen"),
    path("assemblies/<int:assembly_id>/second-call/", views.second_call_view, name="second_call"),
    path(
        "assemblies/<int:assembly_id>/resolutions/",
        views.resolution_add_view,
        name="resolution_add",
    ),
    path("assemblies/<int:assembly_id>/elections/", views.election_open_view, name="election_open"),
    path("assemblies/<int:assembly_id>/close/", views.close_view, name="close"),
    path("assemblies/<int:assembly_id>/minutes.pdf", views.minutes_view, name="minutes"),
    path("resolutions/<int:resolution_id>/", views.resolution_view, name="resolution"),
    path("elections/<int:election_id>/", views.election_view, name="election"),
    path("mandates/", views.mandates_view, name="mandates"),
    path("meetings/", views.meetings_view, name="meetings"),
    path("decisions/", views.decisions_view, name="decisions"),
    path("complaints/", views.complaints_view, name="complaints"),
    path("complaints/<int:complaint_id>/", views.complaint_view, name="complaint"),
    path("indicators/", views.indicators_view, name="indicators"),
    path("mine/", views.mine_view, name="mine"),
]
