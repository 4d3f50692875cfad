from django.core.management.base import BaseCommand, CommandError

from firstcontact.accounts.models import User
from firstcontact.accounts.two_factor import reset_two_factor


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator app and recovery codes, for a lost phone. "
        "Their sessions end, and they set up a new authenticator when they next "
        "sign in. Check who is asking before running it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"user {username!r} not found.")
        reset_two_factor(user)
        self.stdout.write(
            f"Removed two-factor authentication from {username}; they set it up "
            "again at their next sign-in."
        )
