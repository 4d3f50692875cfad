"""Sign in, sign out, and the home page that sends each user to their work."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from firstcontact.accounts.models import Role


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the Design System's wording."""

    error_messages = {
        "invalid_login": (
            "Enter a correct username and password. Both are case-sensitive."
        ),
        "inactive": "This account has been deactivated. Ask your scheme manager.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].widget = forms.PasswordInput()


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires) and say so on the sign-in page."""

    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.success(request, "You have signed out.")
        return response


# Where each role starts; a role missing here, or whose page is not installed,
# gets the simple signed-in page.
ROLE_HOME = {
    Role.REFERRER: "checklists:new",
    Role.HUB: "hub:queue",
    Role.AGENCY: "referrals:inbox",
}


def _reverse_or_none(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def home(request):
    """Send a signed-in user to the page their role starts from."""
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    target = ROLE_HOME.get(user.role)
    url = _reverse_or_none(target) if target else None
    if url:
        return redirect(url)
    links = []
    if user.role in (Role.REFERRER, Role.HUB):
        links.append(("Fill in a new checklist", _reverse_or_none("checklists:new")))
    if user.role == Role.REFERRER:
        links.append(("See your checklists", _reverse_or_none("checklists:mine")))
    if user.scheme_id:
        links.append(("See the reports", _reverse_or_none("reports:dashboard")))
    return render(
        request,
        "accounts/home.html",
        {"links": [(text, url) for text, url in links if url]},
    )
