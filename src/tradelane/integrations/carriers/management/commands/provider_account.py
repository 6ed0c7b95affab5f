"""``tradelane manage provider_account <code> --url URL --user NAME [--name NAME]``: add a
Tradelane provider as a carrier account (``carrier = "tradelane"``, the provider's URL, the
API key the provider made for us, read from standard input so it stays out of the shell's
history). Credentials are stored encrypted (``rates.services.create_carrier_account``)."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tradelane.core.errors import DomainError
from tradelane.logistics.rates import services

from ...tradelane_provider.gateway import CARRIER


class Command(BaseCommand):
    help = "Add a Tradelane provider as a carrier account (API key on standard input)"

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--url", required=True, help="the provider's address")
        parser.add_argument("--user", required=True, help="who does it (needs channel change)")
        parser.add_argument("--name", default="")

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username=opts["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {opts['user']!r}")
        api_key = sys.stdin.readline().strip()
        if not api_key:
            raise CommandError("Give the provider's API key on standard input")
        try:
            account = services.create_carrier_account(
                user,
                opts["code"],
                opts["name"] or opts["code"],
                CARRIER,
                {"api_key": api_key},
                base_url=opts["url"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(f"carrier account {account.code} added for {account.base_url}")
