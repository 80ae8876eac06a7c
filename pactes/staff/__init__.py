"""Staff accounts managed in the product (issue 10): services and selectors above accounts, outbox and territories.

No models of its own: the journal of changes (``StaffChange``) belongs to accounts, where the second factor's reset
writes it too.
"""
