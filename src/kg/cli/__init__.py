"""The ``kg`` command: parse, call a service, map errors to exit codes, all here.

Each command family lives in its own module with a ``register(subparsers)``
function; :func:`main` is the only place that turns errors into exit codes.

>>> main(["--version"]) == ExitCode.OK
kg ...
True
>>> main(["no-such-command"]) == ExitCode.USAGE
True
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path

from kg import __version__, settings
from kg.errors import ExitCode, KgError

COMMAND_MODULES = ("build", "query", "catalogue", "serve", "export", "release", "project", "push")
#: The module that registers each command: ``kg COMMAND`` imports that one alone (a quick
#: start for quick commands: ``kg build`` with nothing changed). A command missing here
#: loads every module, as ``kg --help`` does.
COMMANDS = {"build": "build", "check": "build", "stats": "build", "release": "release",
            "releases": "release", "diff": "release", "push": "push", "init": "project",
            "coverage": "project", "sparql": "query", "queries": "catalogue",
            "query": "catalogue", "federated": "catalogue", "docs": "catalogue"}


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so main() maps every outcome."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageExit(f"{self.prog}: error: {message}")


class _UsageExit(Exception):
    pass


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser, assembled from the command modules (only the one that
    registers ``command`` when :data:`COMMANDS` knows it)."""
    top = _Parser(prog="kg", description="Knowledge graph of China's future-industry plans.")
    top.add_argument("--version", action="store_true", help="print the version and exit")
    top.add_argument("--project", type=Path, default=None, metavar="DIR",
                     help=f"the project to work on (default: the folder holding the nearest "
                          f"{settings.PROJECT_FILE}, from the current folder upward)")
    sub = top.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    only = COMMANDS.get(command or "")
    for name in (only,) if only else COMMAND_MODULES:
        import_module(f"kg.cli.{name}").register(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kg`` command; return its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser(next((a for a in argv if not a.startswith("-")), None)).parse_args(argv)
    except _UsageExit as exc:
        print(exc, file=sys.stderr)
        return ExitCode.USAGE
    if args.version:
        print(f"kg {__version__}")
        return ExitCode.OK
    if args.project is not None:  # for this process and the ones it starts
        os.environ[settings.ENV_PROJECT] = str(args.project.resolve())
    if not getattr(args, "func", None):
        parser().print_help(sys.stderr)
        return ExitCode.USAGE
    return _call(args)


def _call(args: argparse.Namespace) -> int:
    try:
        result = args.func(args)
    except KgError as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # the reader stopped early (`kg queries | head`): not a failure
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    return int(result or ExitCode.OK)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
