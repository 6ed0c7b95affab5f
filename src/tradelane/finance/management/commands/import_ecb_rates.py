"""``tradelane manage import_ecb_rates FILE``: import the ECB's reference rates from an
eurofxref file (daily, 90-day or full history), one report row per fixing. Importing the same
file again changes nothing; a file that is not an ECB rate file writes nothing."""

from django.core.management.base import BaseCommand, CommandError

from tradelane.core.errors import DomainError

from ...fx import services


class Command(BaseCommand):
    help = "Import ECB euro reference rates from an eurofxref XML file"

    def add_arguments(self, parser):
        parser.add_argument("file", help="eurofxref-daily.xml, eurofxref-hist-90d.xml...")

    def handle(self, *args, **opts):
        try:
            report = services.import_ecb_file(opts["file"])
        except DomainError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from None
        self.stdout.write(f"{'date':<12}{'added':>7}{'unchanged':>11}{'corrected':>11}")
        for date, added, unchanged, corrected in report.days:
            self.stdout.write(f"{date.isoformat():<12}{added:>7}{unchanged:>11}{corrected:>11}")
        self.stdout.write(
            f"{len(report.days)} fixings ({report.first} to {report.last}): "
            f"{report.added} rates added, {report.unchanged} unchanged, "
            f"{report.corrected} corrected"
        )
