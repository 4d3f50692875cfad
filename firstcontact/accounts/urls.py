from django.urls import path

from firstcontact.accounts import admin_views, two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path(
        "two-factor/",
        two_factor_views.TwoFactorVerifyView.as_view(),
        name="two-factor-verify",
    ),
    path(
        "two-factor/setup/",
        two_factor_views.TwoFactorSetupView.as_view(),
        name="two-factor-setup",
    ),
    path(
        "two-factor/recovery-codes/",
        two_factor_views.RecoveryCodesView.as_view(),
        name="recovery-codes",
    ),
    path("access-review/", admin_views.access_review_page, name="access-review"),
    path(
        "users/<uuid:user_id>/deactivate/",
        admin_views.deactivate_user_page,
        name="deactivate-user",
    ),
]
