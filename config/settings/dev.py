"""Local development and `make demo`: SQLite, console e-mails (unless PACTES_MAIL_BACKEND says otherwise), debug on."""

import os

from .base import *  # noqa: F403

DEBUG = True
MAILERS = {
    "default": {"BACKEND": os.environ.get("PACTES_MAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
}
