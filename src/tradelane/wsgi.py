import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradelane.settings")
django_application = get_wsgi_application()

# store webhooks are acknowledged in front of Django (see its module doc)
from tradelane.integrations.stores.webhook_intake import WebhookIntake  # noqa: E402

application = WebhookIntake(django_application)
