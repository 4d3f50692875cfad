from django.urls import path

from firstcontact.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reach/", views.reach, name="reach"),
    path("equality/", views.equality, name="equality"),
    path("progress/", views.executive, name="executive"),
    path(
        "progress/report.<str:file_format>",
        views.executive_download,
        name="executive_download",
    ),
    path(
        "export/referrals.<str:file_format>",
        views.export_referrals,
        name="export_referrals",
    ),
    path(
        "export/<slug:page>/<slug:key>.<str:file_format>",
        views.export_table,
        name="export",
    ),
]
