"""Who is acting: every write records an actor, and only analysts and admins may write.

Roles: ``viewer`` (leaders: read every page), ``analyst`` (also upload, pull, flag exceptional
events, enter indicator values and task statuses, remove demo data), ``admin`` (also
manage users). The command line runs as the operator's login name with the analyst role:
whoever has a shell on the server can already write the database file.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import Literal

from monitoring.errors import PermissionDenied

Role = Literal["viewer", "analyst", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "analyst", "admin")


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role

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


def require_writer(actor: Actor | None, action: str = "change data") -> Actor:
    """Refuse the call unless the actor is an analyst or an admin."""
    if actor is None or not actor.can_write:
        who = actor.name if actor else "nobody"
        raise PermissionDenied(
            f"{who} may not {action}: analysts only",
            message_zh="只有分析员可以执行此操作，请先以分析员身份登录",
            hint="log in as an analyst",
        )
    return actor


def require_admin(actor: Actor | None, action: str = "manage users") -> Actor:
    if actor is None or not actor.is_admin:
        raise PermissionDenied(
            f"{actor.name if actor else 'nobody'} may not {action}: admins only",
            message_zh="只有管理员可以执行此操作",
            hint="log in as an admin",
        )
    return actor
