from django.urls import include, path

from firstcontact.accounts.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("firstcontact.accounts.urls")),
    path("checklists/", include("firstcontact.checklists.urls")),
    path("hub/", include("firstcontact.referrals.hub_urls")),
    path("hub/checklists/", include("firstcontact.checklists.hub_urls")),
    path("referrals/", include("firstcontact.referrals.urls")),
    path("reports/", include("firstcontact.reports.urls")),
    path("api/v1/", include("firstcontact.api_urls")),
    path("people/", include("firstcontact.rights.urls")),
    path("people/", include("firstcontact.consent.urls")),
    path("audit/", include("firstcontact.audit.urls")),
    path("", include("firstcontact.delivery.urls")),
]

handler404 = "firstcontact.errors.page_not_found"
