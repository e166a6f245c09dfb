"""Errors a handler raises; the dispatcher turns them into polite private replies."""


class UserError(Exception):
    """Something the member can fix: shown to them privately, nothing is stored."""


class NotAllowed(UserError):
    """The member may not do this (an admin-only command, someone else's quiz, ...)."""


class NotFound(UserError):
    """What the member referred to does not exist."""


class StoreUnavailable(Exception):
    """The database did not answer; the member is asked to try again in a moment."""


class ConfigError(Exception):
    """Invalid configuration or environment; the CLI prints it as one line and exits 2."""
