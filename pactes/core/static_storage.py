"""Static files under hashed names (``dsfr.3f2a9c1e.css``), so that a front server may keep them for a year.

``ManifestStaticFilesStorage`` rewrites the references between static files (``url()`` and ``@import`` in CSS) to
their hashed names. The comments that point a browser's developer tools at a source map are left as they are:
several vendored libraries ship without their ``.map`` file, which Django would otherwise refuse.
"""

from __future__ import annotations

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage


def _without_source_maps(patterns: tuple) -> tuple:  # type: ignore[type-arg]
    kept = []
    for extension, rules in patterns:
        rules = tuple(r for r in rules if "sourceMappingURL" not in (r[0] if isinstance(r, tuple) else r))
        kept.append((extension, rules))
    return tuple(kept)


class HashedStaticFilesStorage(ManifestStaticFilesStorage):
    patterns = _without_source_maps(ManifestStaticFilesStorage.patterns)
