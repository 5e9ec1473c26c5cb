import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimDeletion, countOpenOrphans, recordOrphan, releaseDeletion, resolveServer, type OrphanServerFacts } from '../../../src/services/sync/orphan-records.ts';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';

const MINUTE_MS = 60_000;
const GRACE_MS = 15 * MINUTE_MS;
const PLACE = { cloud: 'c1', region: null };

function server(id: string): OrphanServerFacts {
  return { projectId: 'p1', serverId: id, serverName: `name-${id}`, novaStatus: 'ACTIVE', portalVmId: null };
}

describe.each(databaseKinds())('orphan records on %s', (kind) => {
  let handle: TestDatabase;

  beforeEach(async () => {
    handle = await openTestDatabase(kind);
  });

  afterEach(async () => {
    await handle?.dispose();
  });

  const db = () => handle.database.db;
  const row = (serverId: string) => db().selectFrom('orphan_servers').selectAll().where('server_id', '=', serverId).executeTakeFirstOrThrow();

  it('records a server as new once', async () => {
    const now = new Date();
    const results = await Promise.all([1, 2, 3].map(() => recordOrphan(db(), PLACE, server('s1'), 'unknown', now, GRACE_MS)));
    expect(results.filter((result) => result === 'new')).toHaveLength(1);
    expect(results.filter((result) => result === 'seen')).toHaveLength(2);

    const later = new Date(now.getTime() + MINUTE_MS);
    expect(await recordOrphan(db(), PLACE, server('s1'), 'unknown', later, GRACE_MS)).toBe('seen');
    const stored = await row('s1');
    expect(stored.first_seen_at).toEqual(now);
    expect(stored.last_seen_at).toEqual(later);
  });

  it('reopens a gone server as new', async () => {
    const now = new Date();
    await recordOrphan(db(), PLACE, server('s2'), 'unknown', now, GRACE_MS);
    expect(await resolveServer(db(), PLACE, 's2', 'gone', now)).toBe(true);

    const later = new Date(now.getTime() + MINUTE_MS);
    expect(await recordOrphan(db(), PLACE, server('s2'), 'no_record', later, GRACE_MS)).toBe('new');
    const stored = await row('s2');
    expect(stored.resolution).toBeNull();
    expect(stored.kind).toBe('no_record');
    expect(stored.first_seen_at).toEqual(later);
  });

  it('claims a deletion once', async () => {
    const now = new Date();
    const claims = await Promise.all([1, 2, 3].map(() => claimDeletion(db(), PLACE, server('s3'), now, GRACE_MS)));
    expect(claims.filter((claim) => claim !== null)).toHaveLength(1);

    await recordOrphan(db(), PLACE, server('s4'), 'failed_create', now, GRACE_MS);
    const first = await claimDeletion(db(), PLACE, server('s4'), now, GRACE_MS);
    expect(first).not.toBeNull();
    expect(await claimDeletion(db(), PLACE, server('s4'), new Date(now.getTime() + MINUTE_MS), GRACE_MS)).toBeNull();
    expect(await recordOrphan(db(), PLACE, server('s4'), 'failed_create', new Date(now.getTime() + MINUTE_MS), GRACE_MS)).toBe('skipped');
  });

  it('claims again after grace', async () => {
    const now = new Date();
    expect(await claimDeletion(db(), PLACE, server('s5'), now, GRACE_MS)).not.toBeNull();

    // Nova still lists the server a grace period after the delete, so the delete did not happen.
    const later = new Date(now.getTime() + GRACE_MS);
    expect(await claimDeletion(db(), PLACE, server('s5'), later, GRACE_MS)).not.toBeNull();
    expect((await row('s5')).resolved_at).toEqual(later);
  });

  it('releases a rejected claim', async () => {
    const now = new Date();
    const claimed = await claimDeletion(db(), PLACE, server('s6'), now, GRACE_MS);
    await releaseDeletion(db(), claimed as string, now);
    const stored = await row('s6');
    expect(stored.resolution).toBeNull();
    expect(stored.resolved_at).toBeNull();
    expect(await countOpenOrphans(db())).toEqual({ unknown: 0, no_record: 0, failed_create: 1 });
  });

  it('keeps regions apart', async () => {
    const now = new Date();
    expect(await recordOrphan(db(), PLACE, server('s7'), 'unknown', now, GRACE_MS)).toBe('new');
    expect(await recordOrphan(db(), { cloud: 'c1', region: 'r2' }, server('s7'), 'unknown', now, GRACE_MS)).toBe('new');
    expect(await countOpenOrphans(db())).toEqual({ unknown: 2, no_record: 0, failed_create: 0 });
  });
});
