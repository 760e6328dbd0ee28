"""duplicate keys: each name part's Thai soundex and consonant skeleton, indexed with the
district among open cases; the role an idempotent answer was made for

Revision ID: 0004_duplicate_keys
Revises: 0003_case_list_indexes
Create Date: 2026-11-30 11:30:00.000000

Existing cases get their keys from `onestop` code, not SQL (the soundex is PyThaiNLP's): the
upgrade fills them in batches from the stored first and last names.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004_duplicate_keys'
down_revision: Union[str, Sequence[str], None] = '0003_case_list_indexes'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OPEN = sa.text("status <> 'closed'")
KEYS = (('first_sound', 8), ('last_sound', 8), ('first_skeleton', 32), ('last_skeleton', 32))
BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for key, length in KEYS:
            batch_op.add_column(sa.Column(f'client_{key}', sa.String(length=length), nullable=True))
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('viewer_role', sa.String(length=16), nullable=True))
    _fill_keys()
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for key, _ in KEYS:
            batch_op.create_index(
                f'ix_cases_open_district_{key}', ['district_code', f'client_{key}'],
                unique=False, postgresql_where=OPEN, sqlite_where=OPEN,
            )


def _fill_keys() -> None:
    from service.thai.names import person_name

    bind = op.get_bind()
    cases = sa.table(
        'cases', sa.column('id'), sa.column('client_first_name'), sa.column('client_last_name'),
        *(sa.column(f'client_{key}') for key, _ in KEYS),
    )
    after = None
    while True:
        query = (
            sa.select(cases.c.id, cases.c.client_first_name, cases.c.client_last_name)
            .where(sa.or_(cases.c.client_first_name.is_not(None), cases.c.client_last_name.is_not(None)))
            .order_by(cases.c.id)
            .limit(BATCH)
        )
        if after is not None:
            query = query.where(cases.c.id > after)
        rows = bind.execute(query).all()
        if not rows:
            return
        for case_id, first, last in rows:
            name = person_name(first, last)
            bind.execute(
                cases.update().where(cases.c.id == case_id).values(
                    **{f'client_{key}': (getattr(name, key) or None) and getattr(name, key)[:length]
                       for key, length in KEYS}
                )
            )
        after = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for key, _ in reversed(KEYS):
            batch_op.drop_index(f'ix_cases_open_district_{key}')
        for key, _ in reversed(KEYS):
            batch_op.drop_column(f'client_{key}')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_column('viewer_role')
