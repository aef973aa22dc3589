"""Run ``python -m monitoring …`` in the test process, as the real entry point would.

``run_cli`` calls ``monitoring.cli.main(argv)`` with the given environment, working
folder and standard input, captures what it prints and returns a
``subprocess.CompletedProcess`` — the same shape the tests had when they started a
process for each command (~1 s of imports each). Exit codes as the process would give:
main's return value, argparse's ``SystemExit`` (2 on wrong usage), and an uncaught
exception becomes exit 1 with its traceback on stderr (what a test that says "no
traceback" must see). One subprocess test keeps the real entry point honest
(tests/reliability/test_cli_output.py::test_the_real_entry_point_in_a_process).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path

from monitoring import cli

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def _environment(env: Mapping[str, str | None]) -> Iterator[None]:
    """``env`` over os.environ (None removes a name), put back afterwards."""
    saved = {name: os.environ.get(name) for name in env}
    try:
        _put(env)
        yield
    finally:
        _put(saved)


def _put(env: Mapping[str, str | None]) -> None:
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def run_cli(*argv: str, env: Mapping[str, str | None] | None = None, stdin: str = "",
            cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``python -m monitoring *argv``, in-process; the environment and folder are restored after."""
    out, err = io.StringIO(), io.StringIO()
    previous_cwd, previous_stdin = os.getcwd(), sys.stdin
    # a command may configure logging for its process (schedule: basicConfig): undone after,
    # or the next test would log to this call's captured stream
    root = logging.getLogger()
    previous_handlers, previous_level = root.handlers[:], root.level
    code: int
    with _environment(env or {}), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        os.chdir(cwd)
        sys.stdin = io.StringIO(stdin)  # not a terminal, like a piped process
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
        except Exception:
            traceback.print_exc()
            code = 1
        finally:
            sys.stdin = previous_stdin
            os.chdir(previous_cwd)
            root.handlers[:] = previous_handlers
            root.setLevel(previous_level)
    return subprocess.CompletedProcess(["python", "-m", "monitoring", *argv], code, out.getvalue(), err.getvalue())
