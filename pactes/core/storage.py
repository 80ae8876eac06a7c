"""The object storage of uploaded and generated files (ADR 0047): a private S3-compatible bucket.

Files are read with ``storage.open`` and handed to people only by the platform's views, after the scope check and
the hash check (``pactes.web.evidence.files``): no URL of the bucket, public or signed, ever reaches a page.
"""

from __future__ import annotations

from typing import Any, NoReturn

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """django-storages' S3 backend that refuses to make URLs: a file is served through a scoped view only."""

    def url(self, name: str, *args: Any, **kwargs: Any) -> NoReturn:
        raise NotImplementedError(
            "Les fichiers du stockage objet ne sont servis que par les vues de la plateforme (aucune URL du bucket)."
        )
