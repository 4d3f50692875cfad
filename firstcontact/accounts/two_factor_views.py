"""Pages to set up an authenticator, pass two-factor sign-in and see recovery codes."""

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views import View
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from firstcontact.accounts import lockout, two_factor
from firstcontact.accounts.models import AttemptKind
from firstcontact.accounts.views import (
    record_completed_sign_in,
    record_failed_sign_in,
)
from firstcontact.audit.services import record_event

NEW_RECOVERY_CODES = "firstcontact_new_recovery_codes"
# Fewer recovery codes than this left prompts the user to make new ones.
LOW_RECOVERY_CODES = 3


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=32,
        error_messages={
            "required": "Enter the code",
            "max_length": "Enter the code as shown, without other text",
        },
    )

    def reject(self, message: str) -> None:
        self.add_error("code", message)


def safe_next(request) -> str:
    """Return the `next` URL if it points to this site, else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def pass_second_factor(request, device) -> None:
    """Mark the session as having passed two-factor authentication.

    A new session key stops a session identifier known before this step from
    carrying the stronger sign-in.
    """
    otp_login(request, device)
    request.session.cycle_key()
    record_completed_sign_in(request, request.user)


def qr_code_svg(uri: str) -> str:
    # segno draws the SVG from the URI's bits, so no text of the URI is in it.
    return mark_safe(  # nosec B308 B703
        segno.make(uri, error="m").svg_inline(
            scale=4, dark="#0b0c0c", light="#ffffff", omitsize=False
        )
    )


class TwoFactorPage(View):
    """Common ground for the two-factor pages: a signed-in user and a lockout."""

    template_name = ""

    @method_decorator(never_cache)
    @method_decorator(login_required)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, status=200, **context):
        context = {"form": form, "next": safe_next(self.request), **context}
        return render(self.request, self.template_name, context, status=status)

    def locked_out(self, form, until, **context):
        response = self.render_page(
            form,
            status=429,
            errors=[{"text": lockout.describe_wait(until)}],
            **context,
        )
        response["Retry-After"] = str(lockout.retry_after_seconds(until))
        return response

    def lockout_until(self):
        return lockout.sign_in_locked_until(
            self.request.user.get_username(), lockout.client_address(self.request)
        )

    def count_failure(self) -> None:
        record_failed_sign_in(
            self.request,
            self.request.user.get_username(),
            AttemptKind.TWO_FACTOR,
            "two_factor",
        )


class TwoFactorSetupView(TwoFactorPage):
    """Show a new authenticator key and confirm it with the app's first code.

    A user who already has an authenticator must pass it before replacing it.
    """

    template_name = "accounts/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if (
            user.is_authenticated
            and two_factor.has_authenticator(user)
            and not user.is_verified()
        ):
            return redirect(f"{_verify_url()}?{request.GET.urlencode()}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render_page(CodeForm(), **self.device_context())

    def post(self, request):
        form = CodeForm(request.POST)
        until = self.lockout_until()
        if until is not None:
            return self.locked_out(form, until, **self.device_context())
        if not form.is_valid():
            return self.render_page(form, **self.device_context())
        device, codes = two_factor.confirm_authenticator(
            request.user,
            form.cleaned_data["code"],
            remote_addr=lockout.client_address(request),
        )
        if device is None:
            self.count_failure()
            form.reject(
                "The code is not right. Enter the 6-digit code your app shows now"
            )
            return self.render_page(form, **self.device_context())
        pass_second_factor(request, device)
        request.session[NEW_RECOVERY_CODES] = codes
        next_query = urlencode({"next": safe_next(request)})
        return redirect(f"{_recovery_codes_url()}?{next_query}")

    def device_context(self) -> dict:
        device = two_factor.pending_authenticator(self.request.user)
        uri = device.config_url
        return {
            "secret": two_factor.readable_secret(device),
            "otpauth_uri": uri,
            "qr_code": qr_code_svg(uri),
            "replacing": two_factor.has_authenticator(self.request.user),
        }


class TwoFactorVerifyView(TwoFactorPage):
    """Ask for the authenticator's code, or a recovery code, at each sign-in."""

    template_name = "accounts/two_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and user.is_verified():
            return redirect(safe_next(request))
        if user.is_authenticated and not two_factor.has_authenticator(user):
            return redirect(f"{_setup_url()}?{request.GET.urlencode()}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render_page(CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        until = self.lockout_until()
        if until is not None:
            return self.locked_out(form, until)
        if not form.is_valid():
            return self.render_page(form)
        device = two_factor.verify_second_factor(
            request.user, form.cleaned_data["code"]
        )
        if device is None:
            self.count_failure()
            form.reject(
                "The code is not right. Enter the 6-digit code your app shows now, "
                "or one of your recovery codes"
            )
            return self.render_page(form)
        pass_second_factor(request, device)
        self.audit(device)
        if two_factor.is_recovery_code_device(device):
            self.warn_about_recovery_codes()
        return redirect(safe_next(request))

    def audit(self, device) -> None:
        method = (
            "recovery_code"
            if two_factor.is_recovery_code_device(device)
            else "authenticator"
        )
        record_event(
            "user.two_factor_verified",
            self.request.user,
            actor=self.request.user,
            remote_addr=lockout.client_address(self.request),
            data={"method": method},
        )

    def warn_about_recovery_codes(self) -> None:
        left = two_factor.recovery_codes_left(self.request.user)
        message = f"You used a recovery code, so it will not work again. {left} left."
        if left < LOW_RECOVERY_CODES:
            message += " Make new recovery codes from the Sign-in security page."
        messages.warning(self.request, message)


class RecoveryCodesView(TwoFactorPage):
    """Show new recovery codes once, and make a new set on request."""

    template_name = "accounts/recovery_codes.html"

    def get(self, request):
        codes = request.session.pop(NEW_RECOVERY_CODES, None)
        return render(
            request,
            self.template_name,
            {
                "codes": codes,
                "codes_left": two_factor.recovery_codes_left(request.user),
                "has_authenticator": two_factor.has_authenticator(request.user),
                "next": safe_next(request),
            },
        )

    def post(self, request):
        if not two_factor.has_authenticator(request.user):
            return redirect(_setup_url())
        request.session[NEW_RECOVERY_CODES] = two_factor.replace_recovery_codes(
            request.user
        )
        record_event(
            "user.recovery_codes_replaced",
            request.user,
            actor=request.user,
            remote_addr=lockout.client_address(request),
        )
        return redirect(_recovery_codes_url())


def _setup_url() -> str:
    return reverse("accounts:two-factor-setup")


def _verify_url() -> str:
    return reverse("accounts:two-factor-verify")


def _recovery_codes_url() -> str:
    return reverse("accounts:recovery-codes")
