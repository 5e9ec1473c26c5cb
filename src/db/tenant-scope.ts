import { sql, type DeleteQueryBuilder, type DeleteResult, type SelectQueryBuilder, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import type { Db, DbOrTrx } from './database.ts';
import type { DatabaseSchema } from './tables.ts';

/** Tables whose rows belong to one tenant, each with a `tenant_id` column. */
export const TENANT_TABLES = [
  'contacts',
  'information_systems',
  'resource_orders',
  'virtual_machines',
  'vm_status_history',
  'operation_logs',
  'billing_records',
  'resource_adjustments',
  'vm_usage_intervals',
] as const;
export type TenantTable = (typeof TENANT_TABLES)[number];

/**
 * Query builders for one tenant's rows. Every builder already carries `tenant_id = <tenant>` in
 * SQL, so a route that starts from here cannot read or change another tenant's rows by id.
 */
export function tenantScope(db: DbOrTrx, tenantId: string) {
  const ownedBy = (table: TenantTable) => sql.ref<string>(`${table}.tenant_id`);

  return {
    tenantId,
    // The casts only widen Kysely's per-table generics, which cannot be narrowed over a union of
    // tables. The SQL that each builder produces has the same shape for every table in TENANT_TABLES.
    selectFrom<T extends TenantTable>(table: T): SelectQueryBuilder<DatabaseSchema, T, object> {
      const builder = (db as Db).selectFrom(table as 'contacts') as unknown as SelectQueryBuilder<DatabaseSchema, 'contacts', object>;
      return builder.where(ownedBy(table), '=', tenantId) as unknown as SelectQueryBuilder<DatabaseSchema, T, object>;
    },
    updateTable<T extends TenantTable>(table: T): UpdateQueryBuilder<DatabaseSchema, T, T, UpdateResult> {
      const builder = (db as Db).updateTable(table as 'contacts') as unknown as UpdateQueryBuilder<DatabaseSchema, 'contacts', 'contacts', UpdateResult>;
      return builder.where(ownedBy(table), '=', tenantId) as unknown as UpdateQueryBuilder<DatabaseSchema, T, T, UpdateResult>;
    },
    deleteFrom<T extends TenantTable>(table: T): DeleteQueryBuilder<DatabaseSchema, T, DeleteResult> {
      const builder = (db as Db).deleteFrom(table as 'contacts') as unknown as DeleteQueryBuilder<DatabaseSchema, 'contacts', DeleteResult>;
      return builder.where(ownedBy(table), '=', tenantId) as unknown as DeleteQueryBuilder<DatabaseSchema, T, DeleteResult>;
    },
  };
}

export type TenantScope = ReturnType<typeof tenantScope>;
