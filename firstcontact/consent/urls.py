from django.urls import path

from firstcontact.consent import views

app_name = "consent"

urlpatterns = [
    path("<uuid:person_id>/consent/", views.consent_page, name="page"),
    path("<uuid:person_id>/consent/withdraw/", views.withdraw_view, name="withdraw"),
    path("<uuid:person_id>/consent/give/", views.give_view, name="give"),
    path(
        "<uuid:person_id>/consent/referrals/<uuid:referral_id>/send/",
        views.send_without_consent_view,
        name="send-without-consent",
    ),
]
