"""``tradelane manage provider_webhook <account code> --user NAME [--public-url URL]``:
register our webhook intake with a Tradelane provider and keep its secret (``connection``)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tradelane.core.errors import DomainError
from tradelane.logistics.models import CarrierAccount

from ...tradelane_provider.connection import register_webhook


class Command(BaseCommand):
    help = "Register this installation's webhook with a Tradelane provider"

    def add_arguments(self, parser):
        parser.add_argument("account")
        parser.add_argument("--user", required=True, help="who does it (needs channel change)")
        parser.add_argument("--public-url", default="")

    def handle(self, *args, **opts):
        account = CarrierAccount.objects.filter(code=opts["account"]).first()
        if account is None:
            raise CommandError(f"No carrier account {opts['account']!r}")
        user = get_user_model().objects.filter(username=opts["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {opts['user']!r}")
        try:
            url = register_webhook(user, account, opts["public_url"])
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(f"webhook registered: {url}")
