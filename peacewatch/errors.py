"""The errors peacewatch raises: one picklable base, the one error that reaches users, and "try later".

Beam moves exceptions between processes (a worker's failure travels back to the launcher), so
they must pickle. Python pickles an exception by calling its class with ``exc.args``, which breaks
as soon as a constructor takes other arguments than the message it passes on. :class:`PeacewatchError`
remembers the arguments it was constructed with and pickles with those (and its attributes), so a
subclass only declares its constructor.
"""

from __future__ import annotations

from typing import Any


def _rebuild(cls: type[BaseException], args: tuple[Any, ...], kwargs: dict[str, Any]) -> BaseException:
    return cls(*args, **kwargs)


class PeacewatchError(Exception):
    """The base of peacewatch's exceptions: picklable whatever the subclass's constructor.

    ``transient`` says whether trying again later can help (``None``: the error does not say; see
    :func:`peacewatch.retry.is_transient`).
    """

    transient: bool | None = None

    def __new__(cls, *args: Any, **kwargs: Any):
        self = super().__new__(cls, *args)
        self._init_args = (args, kwargs)
        return self

    def __reduce__(self):
        args, kwargs = self.__dict__.get("_init_args", (self.args, {}))
        state = {k: v for k, v in self.__dict__.items() if k != "_init_args"}
        return _rebuild, (type(self), args, kwargs), state


class UserError(PeacewatchError):
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

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} (hint: {self.hint})"


class ServiceUnavailable(PeacewatchError):
    """A service stayed unreachable or overloaded for longer than the retry budget: try again later.

    Args:
        message: which service, for how long, and what its last failure was.
        pending: how many items were not written.
    """

    transient = True

    def __init__(self, message: str, pending: int = 0) -> None:
        super().__init__(message)
        self.pending = pending
