from django.urls import path

from firstcontact.delivery import views

app_name = "delivery"

urlpatterns = [
    path("hub/deliveries/", views.failed_deliveries_page, name="failed"),
    path(
        "hub/deliveries/<uuid:message_id>/retry",
        views.retry_delivery_view,
        name="retry",
    ),
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/read", views.mark_read_view, name="mark-read"),
]
