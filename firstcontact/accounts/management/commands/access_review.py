from django.core.management.base import BaseCommand

from firstcontact.accounts.access_review import review_csv, review_rows, review_text
from firstcontact.accounts.models import User


class Command(BaseCommand):
    help = (
        "Print every user by agency with their role, two-factor status, last "
        "login, whether they are active, and their live API tokens."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=["text", "csv"],
            default="text",
            help="text (default) for reading, csv for a spreadsheet",
        )

    def handle(self, *args, format, **options):
        rows = review_rows(User.objects.all())
        if format == "csv":
            self.stdout.write(review_csv(rows), ending="")
        else:
            self.stdout.write(review_text(rows), ending="")
