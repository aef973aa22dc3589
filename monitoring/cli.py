"""The command line of INTERFACES.md: ``python -m monitoring COMMAND``.

Exit status: 0 done; 1 the input was refused and nothing was written; 2 wrong usage.
A ``MonitorError`` becomes one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from monitoring import commands
from monitoring.errors import MonitorError
from monitoring.printable import printable

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given the arguments, only their command's module is imported (start-up
    is part of every ingest's measured time). ``--help``, no command or an unknown one:
    every command, so the usage lists them all."""
    parser = _Parser(
        prog="python -m monitoring",
        description="Xicheng air-quality target monitor (西城区空气质量目标监测).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    names = sorted(info.name for info in pkgutil.iter_modules(commands.__path__) if not info.name.startswith("_"))
    # a command is spelt with hyphens (remove-demo); "remove_demo" gets the full list in its error
    wanted = argv[0].replace("-", "_") if argv and "_" not in argv[0] else None
    for name in [wanted] if wanted in names else names:
        module = importlib.import_module(f"{commands.__name__}.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        result = args.handler(args)
    except MonitorError as exc:
        print(f"error: {printable(exc)}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("interrupted: nothing of the current file was stored", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a full disk, a read-only volume …: the machine's fault, one line
        from monitoring.storage.faults import storage_error

        if (clear := storage_error(exc)) is None:
            raise
        print(f"error: {printable(clear)}", file=sys.stderr)
        return EXIT_REFUSED
    return int(result or 0)
