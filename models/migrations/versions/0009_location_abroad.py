"""location abroad: a case's country and city, the client's home province; the province is
optional for a case abroad

Revision ID: 0009_location_abroad
Revises: 0008_deadline_policies
Create Date: 2026-11-30 14:00:00.000000

Existing cases are in Thailand (`country_code` 'TH'). Downgrading refuses while a case abroad
has no province, since the column becomes required again.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0009_location_abroad'
down_revision: Union[str, Sequence[str], None] = '0008_deadline_policies'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ABROAD = sa.text("country_code <> 'TH'")


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'home_province_code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True
        ))
        batch_op.add_column(sa.Column(
            'country_code', sqlmodel.sql.sqltypes.AutoString(length=2), server_default='TH',
            nullable=False,
        ))
        batch_op.add_column(sa.Column(
            'city', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True
        ))
        batch_op.alter_column(
            'province_code', existing_type=sqlmodel.sql.sqltypes.AutoString(length=2),
            nullable=True,
        )
        batch_op.create_index(
            'ix_cases_abroad_country_created_at', ['country_code', 'created_at', 'id'],
            unique=False, postgresql_where=ABROAD, sqlite_where=ABROAD,
        )


def downgrade() -> None:
    connection = op.get_bind()
    without_province = connection.execute(
        sa.text("SELECT count(*) FROM cases WHERE province_code IS NULL")
    ).scalar_one()
    if without_province:
        raise RuntimeError(
            f"{without_province} cases abroad have no province; give them one before "
            "downgrading below 0009_location_abroad"
        )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_abroad_country_created_at')
        batch_op.alter_column(
            'province_code', existing_type=sqlmodel.sql.sqltypes.AutoString(length=2),
            nullable=False,
        )
        batch_op.drop_column('city')
        batch_op.drop_column('country_code')
        batch_op.drop_column('home_province_code')
