"""The public card check, mounted by the project at /verify/ (no namespace needed).

`GET /verify/<payload>/`: anonymous callers learn only whether the card is
genuine and valid; a health-facility agent or staff with the eligibility right
also sees the name, status and photo.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("<str:payload>/", views.verify_view, name="card_verify"),
]
