import { sql, type Kysely } from 'kysely';

// A Keystone project belongs to the whole cloud, not to a region, so one project is bound to one
// tenant per cloud. The first schema keyed the binding on the region too, where a null region and
// its written-out name counted as different, and one project could be bound to two tenants.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index tenants_project_key`.execute(db);
  await sql`create unique index tenants_project_key on tenants (cloud, project_id) where project_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index tenants_project_key`.execute(db);
  await sql`create unique index tenants_project_key on tenants (cloud, coalesce(region, ''), project_id) where project_id is not null`.execute(db);
}
