"""Commands of the web desk: ``serve``, ``users`` (accounts) and ``tokens`` (API tokens)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from veracity.cli.common import DbOption, JsonOption, err, fail, settings_for, store_for, write
from veracity.errors import VeracityError
from veracity.views import iso
from veracity.web.accounts import ROLES, Accounts

users_app = typer.Typer(help="Accounts of the web desk (reviewers and admins).", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for the write endpoints of /api/.", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the web desk: the feed, articles, outlets, review, the JSON API (/api/) and Atom feeds."""
    import uvicorn

    from veracity.web.app import create_app

    settings = settings_for(db)
    try:
        app = create_app(settings)
    except VeracityError as exc:
        fail(exc)
    err.print(f"veracity serving {settings.database_url} at http://{host}:{port}/ (Ctrl-C stops)", markup=False)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name (no spaces).")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")] = "reviewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    db: DbOption = None,
) -> None:
    """Add a user; the password is asked for (twice) and stored hashed with argon2id."""
    if role not in ROLES:
        fail(f"--role must be one of: {', '.join(ROLES)}", code=2)
    password = _password(password_stdin)
    with store_for(settings_for(db)) as store:
        user = Accounts(store.engine).add_user(name, role, password)
    typer.echo(f"added {user.name} ({user.role})")


@users_app.command("list")
def users_list(as_json: JsonOption = False, db: DbOption = None) -> None:
    """List users."""
    with store_for(settings_for(db)) as store:
        rows = Accounts(store.engine).users()
    if as_json:
        write(json.dumps([{"name": u.name, "role": u.role, "created_at": iso(u.created_at)} for u in rows], indent=2))
        write("\n")
        return
    for u in rows:
        write(f"{u.name}\t{u.role}\t{iso(u.created_at)}\n")


@users_app.command("remove")
def users_remove(name: str, db: DbOption = None) -> None:
    """Remove a user, with their sessions and tokens."""
    with store_for(settings_for(db)) as store:
        Accounts(store.engine).remove_user(name)
    typer.echo(f"removed {name}")


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Option("--user", help="The user the token acts as.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
    db: DbOption = None,
) -> None:
    """Create an API token and print it (only now: it is stored hashed)."""
    with store_for(settings_for(db)) as store:
        token, info = Accounts(store.engine).create_token(user, label)
    err.print(f"token {info.id} for {info.user}; keep it secret, it is not shown again", markup=False)
    typer.echo(token)


@tokens_app.command("list")
def tokens_list(as_json: JsonOption = False, db: DbOption = None) -> None:
    """List API tokens (ids and owners, never the secrets)."""
    with store_for(settings_for(db)) as store:
        rows = Accounts(store.engine).tokens()
    data = [
        {
            "id": t.id,
            "user": t.user,
            "label": t.label,
            "created_at": iso(t.created_at),
            "last_used": iso(t.last_used),
            "revoked_at": iso(t.revoked_at),
        }
        for t in rows
    ]
    if as_json:
        write(json.dumps(data, indent=2) + "\n")
        return
    for t in data:
        state = "revoked" if t["revoked_at"] else "active"
        write(f"{t['id']}\t{t['user']}\t{state}\t{t['label']}\tlast used {t['last_used'] or 'never'}\n")


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[str, typer.Argument(metavar="ID")], db: DbOption = None) -> None:
    """Revoke an API token by its id."""
    with store_for(settings_for(db)) as store:
        Accounts(store.engine).revoke_token(token_id)
    typer.echo(f"revoked {token_id}")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
