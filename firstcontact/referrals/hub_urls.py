from django.urls import path

from firstcontact.referrals import hub_views

app_name = "hub"

urlpatterns = [
    path("", hub_views.queue, name="queue"),
]
