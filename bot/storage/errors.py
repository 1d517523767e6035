"""Storage errors, shared by both backends."""


class StorageError(Exception):
    """The database cannot be used; the message is one line naming DATABASE_URL and the cause."""


class MissingRow(LookupError):
    """A row the caller relies on is not there: a broken invariant, not bad input.

    Every handler runs after the gatekeeper stored its user, so a missing user row there means
    the database changed under us; the error handler logs it and apologises to the user.
    """
