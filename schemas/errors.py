"""The one error type that reaches users: what went wrong and what to do about it."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (configuration, input, a missing dependency).

    The command line prints it as one line plus a hint, with a non-zero exit code and no
    traceback.

    Args:
        message: what went wrong, naming the file, field or endpoint concerned.
        hint: what to do about it.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __reduce__(self):  # exceptions must pickle to cross Beam's process boundaries
        return (type(self), (self.message, self.hint))

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} (hint: {self.hint})"
