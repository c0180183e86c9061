"""Throw-away databases for tests: a SQLite file under tmp_path, or a fresh PostgreSQL schema.

The PostgreSQL server on 127.0.0.1:5432 is shared with other test runs, so every test gets
its own schema (random name), dropped afterwards; nothing else on the server is touched.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
KINDS = ("sqlite", "postgres")


async def create_schema() -> str:
    schema = f"cg_test_{secrets.token_hex(6)}"
    owner = await asyncpg.connect(PG_SERVER)
    try:
        await owner.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await owner.close()
    return schema


async def drop_schema(schema: str) -> None:
    owner = await asyncpg.connect(PG_SERVER)
    try:
        await owner.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await owner.close()


def pg_url(schema: str) -> str:
    return f"{PG_SERVER}?search_path={schema}"


@asynccontextmanager
async def database_url(kind: str, tmp_path: Path, name: str = "data") -> AsyncIterator[str]:
    """A URL for an empty database of `kind` that lives as long as the block."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / f'{name}.db'}"
        return
    schema = await create_schema()
    try:
        yield pg_url(schema)
    finally:
        await drop_schema(schema)
