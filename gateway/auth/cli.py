"""`chatguard user add|passwd|disable|enable|list|roles|totp-reset`: manage the built-in accounts.

Passwords are read from the terminal (asked twice) or, for scripts, one line from stdin
with `--password-stdin`; never from the command line, where `ps` and shell history see them.
Changing a password, disabling or resetting 2FA ends the user's open sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import TextIO

from gateway.auth.config import AuthSettings
from gateway.auth.passwords import Passwords
from gateway.auth.users import SqlUserStore, UserExists, open_user_store

MIN_PASSWORD = 10


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatguard user", description="manage built-in user accounts")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create a user")
    add.add_argument("username")
    add.add_argument("--roles", default="", help="comma-separated roles")
    add.add_argument("--password-stdin", action="store_true")
    passwd = commands.add_parser("passwd", help="set a new password")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    for name in ("disable", "enable", "totp-reset"):
        commands.add_parser(name).add_argument("username")
    commands.add_parser("list", help="list users")
    roles = commands.add_parser("roles", help="replace a user's roles")
    roles.add_argument("username")
    roles.add_argument("roles", help="comma-separated roles ('' for none)")
    return parser


def _roles(text: str) -> frozenset[str]:
    return frozenset(r.strip() for r in text.split(",") if r.strip())


def _read_password(from_stdin: bool, stdin: TextIO) -> str:
    if from_stdin:
        password = stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise ValueError("the passwords differ")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


async def _run(args: argparse.Namespace, settings: AuthSettings, stdin: TextIO, out: TextIO) -> int:
    store: SqlUserStore = open_user_store(settings.store)
    passwords = Passwords(settings.argon2_time_cost, settings.argon2_memory_kib)
    await store.open()
    try:
        if args.command == "list":
            for entry in await store.list_users():
                flags = ("disabled " if entry.disabled else "") + ("2fa" if entry.totp_enrolled else "")
                out.write(f"{entry.username}\t{','.join(sorted(entry.roles))}\t{flags.strip()}\n")
            return 0
        if args.command == "add":
            hashed = await passwords.hash(_read_password(args.password_stdin, stdin))
            await store.add_user(args.username, hashed, _roles(args.roles))
            out.write(f"added {args.username}\n")
            return 0
        user = await store.get_user(args.username)
        if user is None:
            raise LookupError(f"no such user: {args.username}")
        if args.command == "passwd":
            await store.set_password(user.username, await passwords.hash(_read_password(args.password_stdin, stdin)))
        elif args.command in ("disable", "enable"):
            await store.set_disabled(user.username, args.command == "disable")
        elif args.command == "roles":
            await store.set_roles(user.username, _roles(args.roles))
        elif args.command == "totp-reset":
            await store.reset_totp(user.username)
        if args.command in ("passwd", "disable", "totp-reset"):
            await store.revoke_user_sessions(user.id)
        out.write(f"{args.command}: {user.username}\n")
        return 0
    finally:
        await store.aclose()


def main(argv: list[str], settings: AuthSettings, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    """Run one `chatguard user ...` command (argv without the word `user`); returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return asyncio.run(_run(args, settings, stdin or sys.stdin, out or sys.stdout))
    except UserExists as exc:
        print(f"error: user {exc} exists", file=sys.stderr)
    except (ValueError, LookupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except EOFError:
        print("error: no password given (use --password-stdin to pipe one)", file=sys.stderr)
    return 1
