"""``users add|list|remove|role|passwd``: who may log in to the dashboard, and as what.

Passwords are read from a prompt (twice, not echoed) or, for scripts, from standard
input with ``--password-stdin``; they never appear on the command line or in the
process list. The file holds bcrypt hashes only (see monitoring/auth.py).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from monitoring.actors import ROLES
from monitoring.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("users", help="manage dashboard users (viewer, analyst, admin)")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    add = actions.add_parser("add", help="add a user: users add NAME --role analyst")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--name", default="", help="display name (default: the username)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(handler=run_add)

    lst = actions.add_parser("list", help="list users and roles")
    lst.add_argument("--format", choices=("text", "json"), default="text")
    lst.set_defaults(handler=run_list)

    rm = actions.add_parser("remove", help="remove a user")
    rm.add_argument("username")
    rm.set_defaults(handler=run_remove)

    role = actions.add_parser("role", help="change a user's role: users role NAME admin")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(handler=run_role)

    pw = actions.add_parser("passwd", help="set a new password for a user")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    pw.set_defaults(handler=run_passwd)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InputError(
            "no terminal to ask the password on",
            message_zh="没有终端可输入密码",
            hint="pipe it in with --password-stdin",
        )
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InputError("the two passwords differ", message_zh="两次输入的密码不一致", hint="run the command again")
    return first


def run_add(args: argparse.Namespace) -> int:
    from monitoring import auth, config

    auth.check_username(args.username)
    user = auth.add_user(args.username, _read_password(args.password_stdin), args.role, args.name)
    print(f"added {user.username} ({user.role}) to {config.users_path()}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    import json

    from monitoring import auth, config

    users = auth.load_users()
    if args.format == "json":
        print(json.dumps([{"username": u.username, "name": u.name, "role": u.role} for u in users.values()],
                         ensure_ascii=False))
        return 0
    if not users:
        print(f"no users in {config.users_path()}; add one: python -m monitoring users add NAME --role admin")
        return 0
    from monitoring.printable import printable

    for u in users.values():
        print(f"{u.username}\t{u.role}\t{printable(u.name)}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from monitoring import auth

    gone = auth.remove_user(args.username)
    print(f"removed {gone.username} ({gone.role})")
    return 0


def run_role(args: argparse.Namespace) -> int:
    from monitoring import auth

    user = auth.set_role(args.username, args.role)
    print(f"{user.username} is now {user.role}")
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    from monitoring import auth

    auth.set_password(args.username, _read_password(args.password_stdin))
    print(f"password of {args.username} changed")
    return 0
