"""Sign in, sign out, and the home page that sends each user to their work."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from firstcontact.accounts import lockout
from firstcontact.accounts.models import AttemptKind, Role, User
from firstcontact.accounts.scoping import can_manage_accounts
from firstcontact.accounts.two_factor import two_factor_required
from firstcontact.audit.services import record_event


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


def record_failed_sign_in(request, username: str, kind: str, step: str) -> None:
    """Count a failed password or code, and audit it for a known username."""
    address = lockout.client_address(request)
    lockout.record_attempt(kind, succeeded=False, username=username, address=address)
    user = User.objects.filter(username=username).first()
    if user is None:
        return
    record_event("user.login_failed", user, remote_addr=address, data={"step": step})
    if lockout.username_locked_until(username) is not None:
        record_event("user.locked_out", user, remote_addr=address)


def record_completed_sign_in(request, user) -> None:
    """Count a sign-in that passed every step, which clears the failure count."""
    lockout.record_attempt(
        AttemptKind.TWO_FACTOR if two_factor_required(user) else AttemptKind.PASSWORD,
        succeeded=True,
        username=user.get_username(),
        address=lockout.client_address(request),
    )


def locked_out_response(view, until, form):
    """Render the view's page with the lockout message, as 429 Too Many Requests."""
    context = view.get_context_data(
        form=form, errors=[{"text": lockout.describe_wait(until)}]
    )
    response = view.render_to_response(context, status=429)
    response["Retry-After"] = str(lockout.retry_after_seconds(until))
    return response


class SignInView(auth_views.LoginView):
    """Check the password, then hand over to two-factor authentication.

    A username or client address with too many recent failures gets 429 before
    the password is checked. The second step is enforced by
    TwoFactorRequiredMiddleware on whatever page comes next.
    """

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        until = lockout.sign_in_locked_until(username, lockout.client_address(request))
        if until is not None:
            form = self.get_form_class()(request, initial={"username": username})
            return locked_out_response(self, until, form)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        username = form.data.get("username", "")
        if username and form.data.get("password"):
            record_failed_sign_in(
                self.request, username, AttemptKind.PASSWORD, "password"
            )
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        if not two_factor_required(form.get_user()):
            record_completed_sign_in(self.request, form.get_user())
        return response


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
    if can_manage_accounts(user):
        links.append(("Review who has access", reverse("accounts:access-review")))
    return render(
        request,
        "accounts/home.html",
        {"links": [(text, url) for text, url in links if url]},
    )
