"""The project's exceptions: one root class, specific subclasses that also inherit a builtin.

A ``MonitorError`` is a user's or an operator's problem (bad file, bad setting, unreachable
database): the command line prints ``str(error)`` as one line and exits 1, the pages show
it with ``st.error``. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class MonitorError(Exception):
    """Root of every error the monitor reports to a person instead of crashing.

    ``message`` and ``hint`` are English (command line); ``message_zh`` and ``hint_zh`` are
    what a Chinese page shows. Together they say where, what, and how to fix it.
    """

    def __init__(
        self, message: str, *, message_zh: str | None = None, hint: str = "", hint_zh: str = ""
    ) -> None:
        # One line, always: driver messages (psycopg, sqlite) may carry newlines.
        self.message = _one_line(message)
        self.message_zh = _one_line(message_zh or message)
        self.hint = _one_line(hint)
        self.hint_zh = _one_line(hint_zh)
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class ConfigError(MonitorError, ValueError):
    """A settings file (targets.yaml, sources.yaml) or an environment setting is wrong."""


class StorageError(MonitorError, RuntimeError):
    """The database cannot be reached, opened, written or migrated."""


class InputError(MonitorError, ValueError):
    """An input file or value was refused; nothing was written."""


class SourceError(MonitorError, ConnectionError):
    """An HTTP source failed (network, status, or a body that is not what it should be)."""


class PermissionDenied(MonitorError, PermissionError):
    """The caller's role does not allow the action (for example a viewer uploading)."""
