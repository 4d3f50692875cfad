from django.core.management.base import BaseCommand, CommandError

from firstcontact.accounts.models import User
from firstcontact.accounts.services import AccountError, create_token


class Command(BaseCommand):
    help = "Print a new API token for a user. Store it safely: it is shown once."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                f"user {username!r} not found; create it with create_user."
            )
        try:
            self.stdout.write(create_token(user))
        except AccountError as error:
            raise CommandError(str(error)) from None
