"""Who is acting: every write records an actor, and only analysts and admins may write.

Roles: ``viewer`` (leaders: read every page), ``analyst`` (also upload, pull, flag exceptional
events, enter indicator values and task statuses, remove demo data), ``admin`` (also
manage users). The command line runs as the operator's login name with the analyst role:
whoever has a shell on the server can already write the database file.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from typing import Literal

from monitoring.errors import PermissionDenied

Role = Literal["viewer", "analyst", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "analyst", "admin")


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    #: The users file a dashboard login was checked against; every write reads the role
    #: from it again, so `users role NAME viewer` or `users remove NAME` applies to a
    #: session already logged in. None: not a login (the command line, the system).
    users_file: str | None = field(default=None, compare=False)

    @property
    def can_write(self) -> bool:
        return self.role in ("analyst", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


#: Nobody logged in: may read, may not write.
ANONYMOUS = Actor("anonymous", "viewer")
#: The monitor itself (init, embedded data).
SYSTEM = Actor("system", "admin")


def command_line_actor() -> Actor:
    """The operator running ``python -m monitoring``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "operator"
    return Actor(f"cli:{name}", "analyst")


def current(actor: Actor | None) -> Actor | None:
    """The actor with its role as the users file says now (a login's role may have been
    changed, or the user removed, since the session logged in)."""
    if actor is None or actor.users_file is None:
        return actor
    from pathlib import Path

    from monitoring.auth import load_users  # auth imports this module

    user = load_users(Path(actor.users_file)).get(actor.name)
    if user is None:
        raise PermissionDenied(
            f"{actor.name} is no longer a user (removed from {actor.users_file}): nothing was changed",
            message_zh="您的账户已被删除，无法执行此操作；请重新登录",
            hint="ask an admin to add the user again",
        )
    return actor if user.role == actor.role else Actor(actor.name, user.role, actor.users_file)


def require_writer(actor: Actor | None, action: str = "change data") -> Actor:
    """Refuse the call unless the actor is an analyst or an admin (its role read again
    from the users file for a dashboard login)."""
    actor = current(actor)
    if actor is None or not actor.can_write:
        who = actor.name if actor else "nobody"
        raise PermissionDenied(
            f"{who} may not {action}: analysts only",
            message_zh="只有分析员可以执行此操作，请先以分析员身份登录",
            hint="log in as an analyst",
        )
    return actor


def require_admin(actor: Actor | None, action: str = "manage users") -> Actor:
    actor = current(actor)
    if actor is None or not actor.is_admin:
        raise PermissionDenied(
            f"{actor.name if actor else 'nobody'} may not {action}: admins only",
            message_zh="只有管理员可以执行此操作",
            hint="log in as an admin",
        )
    return actor
