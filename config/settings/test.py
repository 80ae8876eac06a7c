"""Test settings: fast hashing, in-memory e-mail, strict."""

import os

from pactes.core.deployment import cache_settings, session_engine

from .base import *  # noqa: F403
from .base import BASE_DIR, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = VAR_DIR / "test-uploads"
AXES_ENABLED = os.environ.get("AXES_ENABLED", "1") == "1"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test process keeps its own cache, even when REDIS_URL is set (.ci/run exports it for the Redis tests, which
# build their own clients on it): parallel test processes never share counters.
CACHES = cache_settings("", key_prefix="pactes-test")
SESSION_ENGINE = session_engine(CACHES)
# Tasks run at once in tests (the database worker is exercised in production by `manage.py db_worker`).
# Tests never reach the Internet: SIRENE answers « injoignable » at once (nothing listens on the discard port)
# unless a test points it at the local fake (tests/organisations/fake_sirene.py).
PACTES_SIRENE_BASE_URL = "http://127.0.0.1:9"
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


class UndefinedTemplateVariable(str):
    """``string_if_invalid`` that fails the test when a project template prints a value that could not be found: a
    variable the view never gave, a missing related object, a method that needs arguments.

    It is false, as in production: ``{% if x %}`` and ``{{ x|default:"—" }}`` stay the guards; only printing it (or
    handing it to a filter that reads it, such as ``euros``) raises. Templates outside ``pactes/templates``
    (django-dsfr, the admin, Django's form widgets) rely on lenient lookups and keep printing nothing.
    """

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return self._refuse("valeur introuvable (variable absente, objet lié absent, méthode qui attend des arguments)")

    def _refuse(self, what: str) -> str:
        import sys

        from django.template import Node, TemplateSyntaxError

        frame = sys._getframe(2)  # up to the node being rendered: it knows the template it was written in
        while frame is not None and not isinstance(frame.f_locals.get("self"), Node):
            frame = frame.f_back
        node = frame.f_locals["self"] if frame is not None else None
        origin = getattr(node, "origin", None)
        path = str(origin.name) if origin is not None else ""
        if not path.startswith(str(PROJECT_TEMPLATES)):
            return ""
        token = getattr(node, "token", None)
        where = f"{path}, ligne {token.lineno} : {{{{ {token.contents} }}}}" if token is not None else path
        raise TemplateSyntaxError(f"Gabarit : {what} dans {where}")


PROJECT_TEMPLATES = BASE_DIR / "pactes" / "templates"
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = UndefinedTemplateVariable("%s")  # noqa: F405
