from django.urls import path

from firstcontact.checklists import hub_views

app_name = "checklists_hub"

urlpatterns = [
    path("<uuid:checklist_id>/", hub_views.detail, name="detail"),
    path("<uuid:checklist_id>/review/", hub_views.review, name="review"),
    path("<uuid:checklist_id>/override/", hub_views.override, name="override"),
]
