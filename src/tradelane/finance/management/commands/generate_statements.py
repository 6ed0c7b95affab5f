"""``tradelane manage generate_statements [--date YYYY-MM-DD] [--issue]``: draft (and with
``--issue``, issue) the statement of every customer whose settlement cycle has closed. Running
it again drafts nothing twice."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tradelane.core.errors import DomainError

from ...statements import automation


class Command(BaseCommand):
    help = "Draft (and optionally issue) the due statements of every customer"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="today, as YYYY-MM-DD (default: today)")
        parser.add_argument("--issue", action="store_true", help="issue the drafts too")

    def handle(self, *args, **opts):
        try:
            today = dt.date.fromisoformat(opts["date"]) if opts["date"] else None
        except ValueError:
            raise CommandError(f"Not a date: {opts['date']!r} (YYYY-MM-DD)") from None
        try:
            out = automation.run(today=today, issue=opts["issue"])
        except DomainError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from None
        for number in out["numbers"]:
            self.stdout.write(number)
        self.stdout.write(f"{out['drafted']} statements drafted, {out['issued']} issued")
