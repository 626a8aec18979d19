from django.urls import path

from . import views

urlpatterns = [
    path("", views.home_view, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.language_view, name="language"),
    path("account/", views.account_view, name="account"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("organisation/", views.organisations_view, name="organisations"),
    path("organisation/<int:organisation_id>/", views.organisation_view, name="organisation"),
    path("users/", views.users_view, name="users"),
    path("users/<int:user_id>/", views.user_view, name="user"),
    path("roles/<int:assignment_id>/revoke/", views.role_revoke_view, name="role_revoke"),
    path("audit/", views.audit_view, name="audit"),
    path("audit/changes/", views.audit_changes_view, name="audit_changes"),
    path("batches/<int:batch_id>/", views.batch_view, name="batch"),
]
