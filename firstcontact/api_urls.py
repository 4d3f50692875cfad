from django.urls import path

from firstcontact.checklists.api import submit_checklist_api
from firstcontact.referrals.api import (
    list_referrals_api,
    referral_action_api,
    referral_detail_api,
)

app_name = "api"

urlpatterns = [
    path("checklists", submit_checklist_api, name="checklist-submit"),
    path("referrals", list_referrals_api, name="referral-list"),
    path("referrals/<uuid:referral_id>", referral_detail_api, name="referral-detail"),
    path(
        "referrals/<uuid:referral_id>/<slug:action>",
        referral_action_api,
        name="referral-action",
    ),
]
