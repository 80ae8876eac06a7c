from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Logs in by e-mail address, case-insensitively."""

    def authenticate(self, request, username=None, password=None, **kwargs):  # type: ignore[no-untyped-def]
        if username:
            username = username.strip().lower()
        return super().authenticate(request, username=username, password=password, **kwargs)
