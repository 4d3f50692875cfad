from django.urls import path

from firstcontact.rights import views

app_name = "rights"

urlpatterns = [
    path("", views.search, name="search"),
    path("<uuid:person_id>/", views.person_page, name="person"),
    path(
        "<uuid:person_id>/subject-access.json",
        views.subject_access_json,
        name="subject-access-json",
    ),
    path(
        "<uuid:person_id>/subject-access/",
        views.subject_access_page,
        name="subject-access",
    ),
    path("<uuid:person_id>/correct/", views.correct, name="correct"),
    path("<uuid:person_id>/erase/", views.erase, name="erase"),
]
