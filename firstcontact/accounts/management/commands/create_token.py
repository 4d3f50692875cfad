from django.core.management.base import BaseCommand, CommandError

from firstcontact.accounts.models import Scope, User
from firstcontact.accounts.services import AccountError, create_token


class Command(BaseCommand):
    help = "Print a new API token for a user. Store it safely: it is shown once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            metavar="SCOPE",
            help=(
                "a scope the token gets; repeat it or separate scopes with commas "
                f"({', '.join(Scope.values)}). Default: every scope the user's "
                "role allows"
            ),
        )

    def handle(self, *args, username, scopes, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                f"user {username!r} not found; create it with create_user."
            )
        if scopes is not None:
            scopes = [
                s.strip() for item in scopes for s in item.split(",") if s.strip()
            ]
        try:
            self.stdout.write(create_token(user, scopes))
        except AccountError as error:
            raise CommandError(str(error)) from None
