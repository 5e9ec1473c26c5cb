import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';

// A foreign key without an index makes every delete or key update of the parent scan the child
// table, and joins from parent to child scan too. This test lists foreign keys whose columns are
// not the leading columns of some index.
describe('schema indexes', () => {
  let handle: TestDatabase;

  beforeAll(async () => {
    handle = await openTestDatabase('embedded');
  });

  afterAll(async () => {
    await handle?.dispose();
  });

  it('index every foreign key by its leading columns', async () => {
    const result = await sql<{ constraint_name: string; table_name: string }>`
      select c.conname as constraint_name, c.conrelid::regclass::text as table_name
      from pg_constraint c
      where c.contype = 'f'
        and c.connamespace = 'public'::regnamespace
        and not exists (
          select 1 from pg_index i
          where i.indrelid = c.conrelid
            and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey
        )
      order by 2, 1`.execute(handle.database.db);

    expect(result.rows).toEqual([]);
  });
});
