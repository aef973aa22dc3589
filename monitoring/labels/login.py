"""Labels of the login form in the sidebar."""

LABELS: dict[str, tuple[str, str]] = {
    "auth.title": ("登录", "Log in"),
    "auth.username": ("用户名", "Username"),
    "auth.password": ("密码", "Password"),
    "auth.submit": ("登录", "Log in"),
    "auth.logout": ("退出登录", "Log out"),
    "auth.signed_in": ("已登录：{name}（{role}）", "Logged in: {name} ({role})"),
    "auth.failed": ("用户名或密码错误", "Wrong username or password"),
    # -- issue 13: login throttling and rights re-checked (rel-pulls) --
    "auth.wait": (
        "登录失败次数过多，请 {seconds} 秒后再试",
        "Too many failed logins: try again in {seconds} s",
    ),
    "auth.locked": (
        "登录失败次数过多，该用户名（或本机）已被临时锁定，请 {minutes} 分钟后再试；如忘记密码请联系管理员",
        "Too many failed logins: this user name (or this computer) is locked for {minutes} min; ask an admin if you forgot the password",
    ),
    "auth.revoked": (
        "您的账户已被管理员删除，已退出登录",
        "Your account was removed by an admin: you are logged out",
    ),
    "auth.role_changed": (
        "您的角色已被管理员改为「{role}」",
        "An admin changed your role to {role}",
    ),
    "auth.viewer_note": (
        "未登录时可查看所有页面；上传、拉取和标记数据需以分析员身份登录。",
        "Without logging in you can read every page; uploading, pulling and flagging data need an analyst login.",
    ),
    "auth.no_users": (
        "尚未设置用户：请系统管理员在服务器上添加用户（见部署说明“用户与角色”一节）。",
        "No users yet. On the server, run: python -m monitoring users add NAME --role admin",
    ),
    "auth.admin.title": ("用户管理（管理员）", "Users (admin)"),
    "auth.admin.add": ("添加用户", "Add a user"),
    "auth.admin.name": ("姓名", "Display name"),
    "auth.admin.role": ("角色", "Role"),
    "auth.admin.submit": ("添加", "Add"),
    "auth.admin.added": ("已添加用户 {user}", "Added {user}"),
    "auth.admin.change": ("修改或删除", "Change or remove"),
    "auth.admin.user": ("用户", "User"),
    "auth.admin.set_role": ("修改角色", "Set role"),
    "auth.admin.remove": ("删除用户", "Remove user"),
    "auth.admin.done": ("已保存", "Saved"),
    "auth.admin.last_admin": ("至少要保留一名管理员", "At least one admin must remain"),
    "auth.role.viewer": ("查看者", "viewer"),
    "auth.role.analyst": ("分析员", "analyst"),
    "auth.role.admin": ("管理员", "admin"),
}
