"""Accounts on SQLite and PostgreSQL: users with argon2id hashes, sessions, hashed API tokens, the CLI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from veracity.cli.main import app
from veracity.errors import ConfigError, NotFoundError
from veracity.store.sql import SqlStore
from veracity.web.accounts import Accounts, AuthError, tokens, users

runner = CliRunner()


def test_users_and_passwords(store: SqlStore) -> None:
    accounts = Accounts(store.engine)
    user = accounts.add_user("rita", "reviewer", "long enough password")
    assert user.can_review and not user.is_admin
    with store.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "long enough" not in stored
    assert accounts.authenticate("rita", "long enough password").name == "rita"
    with pytest.raises(AuthError):
        accounts.authenticate("rita", "wrong password")
    with pytest.raises(AuthError):
        accounts.authenticate("nobody", "long enough password")
    with pytest.raises(ConfigError):
        accounts.add_user("rita", "reviewer", "another password")
    with pytest.raises(ConfigError):
        accounts.add_user("bob", "owner", "long enough password")
    with pytest.raises(ConfigError):
        accounts.add_user("bob", "reviewer", "short")


def test_sessions_expire_and_end(store: SqlStore) -> None:
    accounts = Accounts(store.engine)
    user = accounts.add_user("rita", "reviewer", "long enough password")
    cookie, session = accounts.start_session(user, timedelta(hours=1))
    found = accounts.session(cookie)
    assert found is not None and found.user.name == "rita" and found.csrf == session.csrf
    assert accounts.session("forged") is None and accounts.session(None) is None
    accounts.end_session(cookie)
    assert accounts.session(cookie) is None
    old, _ = accounts.start_session(user, timedelta(hours=-1))
    assert accounts.session(old) is None


def test_tokens_are_stored_hashed_and_revocable(store: SqlStore) -> None:
    accounts = Accounts(store.engine)
    accounts.add_user("ada", "admin", "long enough password")
    token, info = accounts.create_token("ada", "ci")
    secret = token.split("_", 2)[2]
    with store.engine.connect() as conn:
        row = conn.execute(select(tokens)).one()
    assert secret not in (row.secret_hash, row.id) and len(row.secret_hash) == 64
    assert accounts.token_user(token).name == "ada"
    assert accounts.tokens()[0].last_used is not None
    with pytest.raises(AuthError):
        accounts.token_user(token[:-1] + ("A" if token[-1] != "A" else "B"))
    with pytest.raises(AuthError):
        accounts.token_user("not a token")
    accounts.revoke_token(info.id)
    with pytest.raises(AuthError):
        accounts.token_user(token)
    with pytest.raises(NotFoundError):
        accounts.revoke_token(info.id)
    with pytest.raises(NotFoundError):
        accounts.create_token("nobody")


def test_cli_users_and_tokens(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    added = runner.invoke(
        app, ["users", "add", "rita", "--role", "reviewer", "--db", db], input="a good password\na good password\n"
    )
    assert added.exit_code == 0, added.output
    assert "added rita (reviewer)" in added.output
    piped = runner.invoke(
        app, ["users", "add", "ada", "--role", "admin", "--password-stdin", "--db", db], input="pw for ada!\n"
    )
    assert piped.exit_code == 0, piped.output
    bad_role = runner.invoke(
        app, ["users", "add", "x", "--role", "owner", "--password-stdin", "--db", db], input="pw\n"
    )
    assert bad_role.exit_code == 2
    listed = runner.invoke(app, ["users", "list", "--json", "--db", db])
    assert [u["name"] for u in __import__("json").loads(listed.stdout)] == ["ada", "rita"]
    created = runner.invoke(app, ["tokens", "create", "--user", "ada", "--label", "ci", "--db", db])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("vrc_")
    token_id = token.split("_")[1]
    assert token_id in runner.invoke(app, ["tokens", "list", "--db", db]).stdout
    assert runner.invoke(app, ["tokens", "revoke", token_id, "--db", db]).exit_code == 0
    again = runner.invoke(app, ["tokens", "revoke", token_id, "--db", db])
    assert again.exit_code == 1 and "no active token" in again.output
    unknown = runner.invoke(app, ["tokens", "create", "--user", "nobody", "--db", db])
    assert unknown.exit_code == 1
    assert runner.invoke(app, ["users", "remove", "rita", "--db", db]).exit_code == 0
