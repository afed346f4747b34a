"""The baseline for the load benchmark: a bare FastAPI app on the same PostgreSQL, one sync endpoint per shape.

    uvicorn benchmarks.bare_app:app   (DATABASE_URL names the database)

`POST /insert` writes one row, `GET /read/{id}` reads one row, each through a SQLAlchemy session from a
dependency: the least any ordering or menu request can cost on this machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.orm import Session

engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
metadata = MetaData()
bench_row = Table("bench_row", metadata, Column("id", BigInteger, primary_key=True, autoincrement=True),
                  Column("senior_id", Integer, nullable=False), Column("note", String(200), nullable=False))
metadata.create_all(engine)
app = FastAPI()


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@app.post("/insert", status_code=201)
def insert_one(body: dict[str, int], session: SessionDep) -> dict[str, int]:
    row_id = session.execute(insert(bench_row).values(senior_id=body.get("senior_id", 0), note="x")
                             .returning(bench_row.c.id)).scalar_one()
    session.commit()
    return {"id": row_id}


@app.get("/read/{row_id}")
def read_one(row_id: int, session: SessionDep) -> dict[str, object]:
    row = session.execute(select(bench_row).where(bench_row.c.id == row_id)).first()
    if row is None:
        raise HTTPException(404)
    return {"id": row.id, "senior_id": row.senior_id, "note": row.note}
