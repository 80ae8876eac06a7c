"""The production entry point (granian --interface asgi): Django behind the arrival stamp (ADR 0012)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
django_application = get_asgi_application()

from django.conf import settings  # noqa: E402 (settings are read once Django is set up)

from pactes.web.arrival import ArrivalStamp  # noqa: E402

application = ArrivalStamp(django_application, concurrency=settings.PACTES_ASGI_CONCURRENCY)
