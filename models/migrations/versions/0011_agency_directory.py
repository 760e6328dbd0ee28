"""agency directory: HSDS organizations, services and their child tables; users.organization_id

Revision ID: 0011_agency_directory
Revises: 0010_routing_people
Create Date: 2026-11-30 13:31:40.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0011_agency_directory'
down_revision: Union[str, Sequence[str], None] = '0010_routing_people'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('organizations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('alternate_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('website', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('legal_status', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations'))
    )
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index('ix_organizations_name_id', ['name', 'id'], unique=False)

    op.create_table('locations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('location_type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('alternate_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('transportation', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_locations_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations'))
    )
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_locations_organization_id'), ['organization_id'], unique=False)

    op.create_table('services',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('alternate_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('interpretation_services', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('application_process', sa.Text(), nullable=True),
    sa.Column('fees_description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('eligibility_description', sa.Text(), nullable=True),
    sa.Column('minimum_age', sa.Integer(), nullable=True),
    sa.Column('maximum_age', sa.Integer(), nullable=True),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('target_groups', sa.JSON(), nullable=False),
    sa.Column('accepts_referrals', sa.Boolean(), nullable=False),
    sa.Column('serves_abroad', sa.Boolean(), nullable=False),
    sa.Column('referral_contact_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('referral_email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('referral_phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('webhook_url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('response_deadline_hours', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_services_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services'))
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index('ix_services_name_id', ['name', 'id'], unique=False)
        batch_op.create_index('ix_services_organization_id_name', ['organization_id', 'name', 'id'], unique=False)

    op.create_table('addresses',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.Column('attention', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('address_1', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('address_2', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('state_province', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('postal_code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('address_type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_addresses_location_id_locations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addresses'))
    )
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_addresses_location_id'), ['location_id'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.Column('service_id', sa.Uuid(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_contacts_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_contacts_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_service_id'), ['service_id'], unique=False)

    op.create_table('languages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_languages_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_languages'))
    )
    with op.batch_alter_table('languages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_languages_service_id'), ['service_id'], unique=False)

    op.create_table('service_areas',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('area_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_areas_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_areas'))
    )
    with op.batch_alter_table('service_areas', schema=None) as batch_op:
        batch_op.create_index('ix_service_areas_area_code_service_id', ['area_code', 'service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_areas_service_id'), ['service_id'], unique=False)

    op.create_table('service_at_locations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_service_at_locations_location_id_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_at_locations_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_at_locations'))
    )
    with op.batch_alter_table('service_at_locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_at_locations_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_at_locations_service_id'), ['service_id'], unique=False)

    op.create_table('service_capacities',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('unit_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('unit_scheme', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('unit_identifier', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('available', sa.Integer(), nullable=False),
    sa.Column('maximum', sa.Integer(), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('updated', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_capacities_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_capacities'))
    )
    with op.batch_alter_table('service_capacities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_capacities_service_id'), ['service_id'], unique=False)

    op.create_table('phones',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.Column('service_id', sa.Uuid(), nullable=True),
    sa.Column('location_id', sa.Uuid(), nullable=True),
    sa.Column('contact_id', sa.Uuid(), nullable=True),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('extension', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_phones_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_phones_location_id_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_phones_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_phones_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phones'))
    )
    with op.batch_alter_table('phones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phones_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phones_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phones_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phones_service_id'), ['service_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organization_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_organization_id'), ['organization_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_organization_id_organizations'), 'organizations', ['organization_id'], ['id'], ondelete='RESTRICT')



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_organization_id_organizations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_organization_id'))
        batch_op.drop_column('organization_id')

    with op.batch_alter_table('phones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phones_service_id'))
        batch_op.drop_index(batch_op.f('ix_phones_organization_id'))
        batch_op.drop_index(batch_op.f('ix_phones_location_id'))
        batch_op.drop_index(batch_op.f('ix_phones_contact_id'))

    op.drop_table('phones')
    with op.batch_alter_table('service_capacities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_capacities_service_id'))

    op.drop_table('service_capacities')
    with op.batch_alter_table('service_at_locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_at_locations_service_id'))
        batch_op.drop_index(batch_op.f('ix_service_at_locations_location_id'))

    op.drop_table('service_at_locations')
    with op.batch_alter_table('service_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_areas_service_id'))
        batch_op.drop_index('ix_service_areas_area_code_service_id')

    op.drop_table('service_areas')
    with op.batch_alter_table('languages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_languages_service_id'))

    op.drop_table('languages')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_service_id'))
        batch_op.drop_index(batch_op.f('ix_contacts_organization_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_addresses_location_id'))

    op.drop_table('addresses')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index('ix_services_organization_id_name')
        batch_op.drop_index('ix_services_name_id')

    op.drop_table('services')
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_locations_organization_id'))

    op.drop_table('locations')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index('ix_organizations_name_id')

    op.drop_table('organizations')
