from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Print the code a user's authenticator app shows now, for signing in to "
        "demo and development accounts without a phone. Refuses to run with "
        "FIRSTCONTACT_ENV=production."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "totp_code would let anyone with a shell pass two-factor "
                "authentication, so it does not run with FIRSTCONTACT_ENV=production."
            )
        device = TOTPDevice.objects.filter(
            user__username=username, confirmed=True
        ).first()
        if device is None:
            raise CommandError(
                f"user {username!r} not found or has no authenticator app set up."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
