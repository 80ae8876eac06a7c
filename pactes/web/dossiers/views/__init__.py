"""The applicant's dossier over HTTP: creation, the editor's steps and actions, co-editors, the read-only page, and the
filing (attachments, summary and filing, versions, receipts). Each module is one area; the URLs name their views."""
