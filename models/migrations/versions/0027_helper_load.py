"""helper load: each helper profile stores its open cases led, its pending offers and their
ratio to its capacity, counted from the data here and kept at every commit since, and the
profiles are indexed by that ratio, so the supervisors' workload queue reads one page of the
index whatever the number of cases

Revision ID: 0027_helper_load
Revises: 0026_request_id_numbers
Create Date: 2026-12-01 04:05:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0027_helper_load'
down_revision: Union[str, Sequence[str], None] = '0026_request_id_numbers'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('helper_profiles') as batch:
        batch.add_column(
            sa.Column('open_cases_led', sa.Integer(), nullable=False, server_default='0')
        )
        batch.add_column(
            sa.Column('pending_offers', sa.Integer(), nullable=False, server_default='0')
        )
        batch.add_column(
            sa.Column('load_ratio', sa.Float(), nullable=False, server_default='0')
        )
    op.execute(
        """UPDATE helper_profiles SET
               open_cases_led = (SELECT count(*) FROM cases
                                 WHERE cases.lead_id = helper_profiles.user_id
                                   AND cases.status <> 'closed'),
               pending_offers = (SELECT count(*) FROM offers
                                 WHERE offers.user_id = helper_profiles.user_id
                                   AND offers.status = 'pending')"""
    )
    op.execute(
        """UPDATE helper_profiles SET load_ratio =
               CAST(open_cases_led + pending_offers AS FLOAT)
               / CASE WHEN capacity > 0 THEN capacity ELSE 1 END"""
    )
    op.create_index(
        'ix_helper_profiles_load_ratio_user_id',
        'helper_profiles',
        ['load_ratio', 'user_id'],
    )


def downgrade() -> None:
    op.drop_index('ix_helper_profiles_load_ratio_user_id', table_name='helper_profiles')
    with op.batch_alter_table('helper_profiles') as batch:
        batch.drop_column('load_ratio')
        batch.drop_column('pending_offers')
        batch.drop_column('open_cases_led')
