from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError

from firstcontact.accounts.models import Role, User
from firstcontact.accounts.services import AccountError, create_user
from firstcontact.directory.services import get_current_scheme


class Command(BaseCommand):
    help = "Create a user with a role, and an agency for referrers and agency users."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--agency", help="agency code, such as fire-rescue")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password",
            help="initial password; without it the user cannot sign in with one",
        )

    def handle(self, *args, username, role, agency, email, password, **options):
        try:
            scheme = get_current_scheme()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if password:
            # The settings' AUTH_PASSWORD_VALIDATORS apply to every password.
            try:
                validate_password(password, User(username=username, email=email))
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        try:
            user = create_user(
                username,
                role=role,
                scheme=scheme,
                agency_code=agency,
                password=password,
                email=email,
            )
        except AccountError as error:
            raise CommandError(str(error)) from None
        where = f" at {user.agency.code}" if user.agency else ""
        self.stdout.write(f"Created {role} {username}{where}.")
