from django.core.management.base import BaseCommand, CommandError

from firstcontact.accounts.models import User
from firstcontact.accounts.services import AccountError, deactivate_user


class Command(BaseCommand):
    help = (
        "Deactivate a user at once: they cannot sign in, their web sessions end "
        "and their API tokens are revoked."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"user {username!r} not found.")
        try:
            deactivate_user(user)
        except AccountError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Deactivated {username}: sessions ended and API tokens revoked."
        )
