"""keys with ids: wider keyed-value columns, the case chain anchor, existing values labelled key 1

Revision ID: 0005_chain_anchor
Revises: 0004_duplicate_keys
Create Date: 2026-11-23 09:00:00.000000

Values written before keys had ids were all made by the one data key there was; they are
labelled `k1:` here (the default `ONESTOP_DATA_KEY_ID`). Cases keep no anchor until
`onestop rotate-data-key` checks their chain and anchors it. Downgrading removes the `k1:`
labels, so it is only sound before any value was made with another key.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0005_chain_anchor'
down_revision: Union[str, Sequence[str], None] = '0004_duplicate_keys'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LABEL = 'k1:'
TEXT_COLUMNS = {
    'cases': ('client_id_hash', 'last_event_hash'),
    'case_events': ('hash', 'prev_hash'),
}
BLOB_COLUMNS = {
    'cases': (('id',), 'client_id_number_enc'),
    'idempotency_keys': (('owner_id', 'key'), 'body'),
}


def _resize(length: int) -> None:
    for table, columns in TEXT_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(
                    column,
                    type_=sqlmodel.sql.sqltypes.AutoString(length=length),
                    existing_nullable=column != 'hash',
                )


def _relabel_blobs(change) -> None:
    """Row by row in Python: concatenating bytes in SQL differs between the two databases."""
    connection = op.get_bind()
    for table_name, (keys, column) in BLOB_COLUMNS.items():
        table = sa.table(
            table_name, *(sa.column(k) for k in keys), sa.column(column, sa.LargeBinary)
        )
        rows = connection.execute(
            sa.select(*(table.c[k] for k in keys), table.c[column]).where(
                table.c[column].is_not(None)
            )
        ).all()
        for row in rows:
            connection.execute(
                table.update()
                .where(*(table.c[k] == row[i] for i, k in enumerate(keys)))
                .values({column: change(bytes(row[-1]))})
            )


def upgrade() -> None:
    _resize(96)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('chain_anchor', sqlmodel.sql.sqltypes.AutoString(length=96), nullable=True)
        )
    for table, columns in TEXT_COLUMNS.items():
        for column in columns:
            op.execute(
                f"UPDATE {table} SET {column} = '{LABEL}' || {column} "
                f"WHERE {column} IS NOT NULL"
            )
    _relabel_blobs(lambda blob: LABEL.encode() + blob)


def downgrade() -> None:
    for table, columns in TEXT_COLUMNS.items():
        for column in columns:
            op.execute(
                f"UPDATE {table} SET {column} = substr({column}, {len(LABEL) + 1}) "
                f"WHERE {column} LIKE '{LABEL}%'"
            )
    _relabel_blobs(
        lambda blob: blob[len(LABEL):] if blob.startswith(LABEL.encode()) else blob
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('chain_anchor')
    _resize(64)
