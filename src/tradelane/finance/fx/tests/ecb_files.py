"""eurofxref documents for tests, shaped as the ECB publishes them."""

from __future__ import annotations

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n'
    "<gesmes:subject>Reference rates</gesmes:subject>\n"
    "<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>\n"
    "<Cube>\n"
)
TAIL = "</Cube>\n</gesmes:Envelope>\n"


def eurofxref(fixings: dict[str, dict[str, str]]) -> bytes:
    """``{"2026-12-04": {"USD": "1.0541", ...}, ...}`` as an eurofxref file, newest first."""
    body = []
    for day in sorted(fixings, reverse=True):
        body.append(f'<Cube time="{day}">')
        body += [f'<Cube currency="{c}" rate="{r}"/>' for c, r in fixings[day].items()]
        body.append("</Cube>")
    return (HEAD + "\n".join(body) + "\n" + TAIL).encode()
