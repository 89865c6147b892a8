"""Alembic migrations, applied on first use (``veracity db upgrade`` runs them on demand)."""
