"""Accounts of the web desk: users, sign-in sessions, API tokens and the audit log (migration 0007).

Passwords are hashed with argon2id (argon2-cffi). Session cookies and API tokens are random
secrets of 256 bits; only their SHA-256 is stored (a fast hash is enough for secrets that
cannot be guessed), and a token's hash is compared in constant time. Every method is one
short transaction on the engine of an open ``SqlStore``, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from veracity.errors import ConfigError, NotFoundError, VeracityError

metadata = MetaData()
ROLES = ("reviewer", "admin")

users = Table(
    "web_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)
sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("web_users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)
tokens = Table(
    "web_tokens",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("user_id", Integer, ForeignKey("web_users.id", ondelete="CASCADE"), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("label", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_used", DateTime),
    Column("revoked_at", DateTime),
)
audit = Table(
    "web_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", Text, nullable=False),
)

hasher = PasswordHasher()  # argon2id with argon2-cffi's defaults (RFC 9106 "low memory")
TOKEN_PREFIX = "vrc"


class AuthError(VeracityError):
    """A sign-in, session or token was refused."""


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str
    created_at: datetime

    @property
    def can_review(self) -> bool:
        return self.role in ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: str
    user: str
    label: str
    created_at: datetime
    last_used: datetime | None
    revoked_at: datetime | None


@functools.cache
def _dummy_hash() -> str:
    return hasher.hash("not a password")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _user(row: Any) -> User:
    return User(row.id, row.name, row.role, row.created_at)


class Accounts:
    """Users, sessions, tokens and the audit log on an engine (that of ``SqlStore.engine``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- users -------------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str) -> User:
        name = name.strip()
        if not name or len(name) > 64 or any(c.isspace() for c in name):
            raise ConfigError("a user name is 1 to 64 characters without spaces", name)
        if role not in ROLES:
            raise ConfigError(f"role must be one of {', '.join(ROLES)}", role)
        if len(password) < 8:
            raise ConfigError("a password needs at least 8 characters", name)
        now = _now()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(users).values(name=name, role=role, password_hash=hasher.hash(password), created_at=now)
                )
                row = conn.execute(select(users).where(users.c.name == name)).one()
        except IntegrityError as exc:
            raise ConfigError("a user with this name exists already", name) from exc
        return _user(row)

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]

    def remove_user(self, name: str) -> None:
        with self.engine.begin() as conn:
            if not conn.execute(delete(users).where(users.c.name == name)).rowcount:
                raise NotFoundError("no user with this name", name)

    def authenticate(self, name: str, password: str) -> User:
        """The user whose name and password these are; :class:`AuthError` otherwise."""
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name.strip())).first()
        try:
            # An unknown name is checked against a dummy hash, so that a failed sign-in takes as
            # long whether or not the user exists.
            hasher.verify(row.password_hash if row else _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            raise AuthError("wrong user name or password", name) from None
        if row is None:
            raise AuthError("wrong user name or password", name)
        return _user(row)

    # -- sessions ----------------------------------------------------------------------
    def start_session(self, user: User, lifetime: timedelta) -> tuple[str, Session]:
        """A new session: (the cookie value, the session). Expired sessions are swept here."""
        secret = secrets.token_urlsafe(32)
        now = _now()
        session = Session(user, secrets.token_urlsafe(32), now + lifetime)
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at < now))
            conn.execute(
                insert(sessions).values(
                    id_hash=_sha256(secret),
                    user_id=user.id,
                    csrf=session.csrf,
                    created_at=now,
                    expires_at=session.expires_at,
                )
            )
        return secret, session

    def session(self, cookie: str | None) -> Session | None:
        if not cookie or len(cookie) > 100:
            return None
        query = (
            select(sessions.c.csrf, sessions.c.expires_at, users)
            .join(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.id_hash == _sha256(cookie), sessions.c.expires_at > _now())
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else Session(_user(row), row.csrf, row.expires_at)

    def end_session(self, cookie: str | None) -> None:
        if cookie:
            with self.engine.begin() as conn:
                conn.execute(delete(sessions).where(sessions.c.id_hash == _sha256(cookie)))

    # -- API tokens --------------------------------------------------------------------
    def create_token(self, user_name: str, label: str = "") -> tuple[str, TokenInfo]:
        """A new API token for a user: (the token, shown once; what is stored about it)."""
        token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        now = _now()
        with self.engine.begin() as conn:
            row = conn.execute(select(users).where(users.c.name == user_name)).first()
            if row is None:
                raise NotFoundError("no user with this name", user_name)
            conn.execute(
                insert(tokens).values(
                    id=token_id, user_id=row.id, secret_hash=_sha256(secret), label=label, created_at=now
                )
            )
        return f"{TOKEN_PREFIX}_{token_id}_{secret}", TokenInfo(token_id, user_name, label, now, None, None)

    def token_user(self, token: str) -> User:
        """The user an API token belongs to; :class:`AuthError` for a wrong, unknown or revoked one."""
        parts = token.strip().split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) != 16:
            raise AuthError("not a veracity API token")
        query = select(tokens.c.secret_hash, tokens.c.revoked_at, users).join(users, users.c.id == tokens.c.user_id)
        with self.engine.connect() as conn:
            row = conn.execute(query.where(tokens.c.id == parts[1])).first()
        expected = row.secret_hash if row is not None else _sha256("")
        valid = hmac.compare_digest(expected, _sha256(parts[2]))
        if row is None or not valid or row.revoked_at is not None:
            raise AuthError("unknown or revoked API token", parts[1])
        with self.engine.begin() as conn:
            conn.execute(update(tokens).where(tokens.c.id == parts[1]).values(last_used=_now()))
        return _user(row)

    def tokens(self) -> list[TokenInfo]:
        query = select(tokens, users.c.name.label("user_name")).join(users, users.c.id == tokens.c.user_id)
        with self.engine.connect() as conn:
            return [
                TokenInfo(r.id, r.user_name, r.label, r.created_at, r.last_used, r.revoked_at)
                for r in conn.execute(query.order_by(tokens.c.created_at, tokens.c.id))
            ]

    def revoke_token(self, token_id: str) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(
                update(tokens).where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None)).values(revoked_at=_now())
            ).rowcount
        if not done:
            raise NotFoundError("no active token with this id", token_id)

    # -- audit log ---------------------------------------------------------------------
    def record(self, actor: str, action: str, target: str, detail: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(audit).values(
                    at=_now(), actor=actor, action=action, target=target, detail=json.dumps(detail, ensure_ascii=False)
                )
            )
