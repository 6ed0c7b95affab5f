"""``tradelane manage tms_credentials``: issue or revoke the ECCANG / Hualei credentials of a
customer's ERP, as a member of the provider's staff (``--by``), through ``services``.

    tradelane manage tms_credentials issue --vendor eccang --user acme --by sales1
    tradelane manage tms_credentials issue --vendor hualei --user acme --username acme-erp \
        --by sales1
    tradelane manage tms_credentials list --customer ACME
    tradelane manage tms_credentials revoke --id 3 --by sales1
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tradelane.core.errors import DomainError

from ... import services
from ...models import Vendor, VendorCredential


def _user(username: str):
    found = get_user_model().objects.filter(username=username).first()
    if found is None:
        raise CommandError(f"No user {username}")
    return found


class Command(BaseCommand):
    help = "Issue, list or revoke the ECCANG / Hualei credentials of a customer's ERP"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["issue", "list", "revoke"])
        parser.add_argument("--vendor", choices=Vendor.values)
        parser.add_argument("--user", help="the customer's portal user the ERP acts as")
        parser.add_argument("--username", default="", help="Hualei: the login name to give")
        parser.add_argument("--customer", default="", help="list: the customer's code")
        parser.add_argument("--id", type=int, help="revoke: the credential's id")
        parser.add_argument("--by", help="the provider staff user who issues or revokes")

    def handle(self, *args, **opts):
        if opts["action"] == "list":
            rows = VendorCredential.objects.select_related("customer", "user").order_by("id")
            if opts["customer"]:
                rows = rows.filter(customer__code=opts["customer"])
            for c in rows:
                state = "active" if c.active else "revoked"
                self.stdout.write(f"{c.pk}\t{c.vendor}\t{c.identifier}\t{c.customer.code}\t"
                                  f"{c.user.username}\t{state}")  # fmt: skip
            return
        if not opts["by"]:
            raise CommandError("--by names the staff user who does this")
        actor = _user(opts["by"])
        try:
            if opts["action"] == "revoke":
                cred = VendorCredential.objects.filter(pk=opts["id"]).first()
                if cred is None:
                    raise CommandError(f"No credential {opts['id']}")
                services.revoke(actor, cred)
                self.stdout.write(f"revoked {cred.pk}")
                return
            if not opts["vendor"] or not opts["user"]:
                raise CommandError("issue needs --vendor and --user")
            cred, secret = services.issue(actor, vendor=opts["vendor"], user=_user(opts["user"]),
                                          username=opts["username"])  # fmt: skip
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        if cred.vendor == Vendor.ECCANG:
            self.stdout.write(f"appToken: {cred.identifier}\nappKey:   {secret}")
        else:
            self.stdout.write(f"username: {cred.identifier}\npassword: {secret}")
        self.stdout.write("(the secret is shown this once)")
