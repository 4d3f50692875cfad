"""`firstcontact agency_channels`: set an agency's webhook and email switch."""

from django.core.management.base import BaseCommand, CommandError

from firstcontact.accounts.models import User
from firstcontact.delivery.services import configure_channels
from firstcontact.directory.models import Agency
from firstcontact.referrals.operations import OperationError


class Command(BaseCommand):
    help = (
        "Set an agency's webhook URL (with a new or given secret) or switch its "
        "email notifications on or off, acting as a scheme manager."
    )

    def add_arguments(self, parser):
        parser.add_argument("agency", help="Agency code, such as pension-service.")
        parser.add_argument(
            "--as", dest="username", required=True, help="A scheme manager's username."
        )
        parser.add_argument(
            "--webhook-url", help='Webhook URL; "" removes the webhook.'
        )
        parser.add_argument(
            "--secret-from-stdin",
            action="store_true",
            help="Read the webhook secret from standard input instead of "
            "generating one (keeps it out of the shell history).",
        )
        parser.add_argument(
            "--email", choices=["on", "off"], help="Email notifications."
        )

    def handle(
        self, *args, agency, username, webhook_url, secret_from_stdin, email, **options
    ):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"user {username!r} does not exist.")
        found = Agency.objects.filter(scheme_id=user.scheme_id, code=agency).first()
        if found is None:
            raise CommandError(f"agency {agency!r} is not in {username}'s scheme.")
        secret = self.stdin_secret() if secret_from_stdin else None
        try:
            channels, generated = configure_channels(
                found,
                user,
                webhook_url=webhook_url,
                webhook_secret=secret,
                email_enabled=None if email is None else email == "on",
            )
        except OperationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{found.code}: email {'on' if channels.email_enabled else 'off'}, "
            f"webhook {channels.webhook_url or 'none'}"
        )
        if generated:
            self.stdout.write(
                f"Webhook secret (shown once; give it to the agency): {generated}"
            )

    def stdin_secret(self) -> str:
        import sys

        return sys.stdin.readline().strip()
