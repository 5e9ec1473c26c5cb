import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { createContact } from './contacts.ts';
import type { Keyring } from './crypto/index.ts';
import { createUser } from './users.ts';

export const DEMO_TENANT_CODE = 'demo-tenant';

export interface DemoSeedResult {
  created: boolean;
  /** Set only when this call generated the password, so the caller can print it once. */
  generatedPassword: string | null;
}

/** Generates a password that meets the policy: 16 base64url characters, a digit and a letter. */
function generatePassword(): string {
  return `${randomBytes(12).toString('base64url')}7a`;
}

/**
 * Creates 示例租户 with two information systems, their orders and contacts, and the users `admin`
 * (platform operator) and `demo` (tenant admin). Does nothing when `admin` already exists, so
 * every start of the demo may call it.
 */
export async function seedDemoData(db: Db, keyring: Keyring, options: { password: string | null; now?: Date }): Promise<DemoSeedResult> {
  const existing = await db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirst();
  if (existing) return { created: false, generatedPassword: null };

  const password = options.password ?? generatePassword();
  const now = options.now ?? new Date();
  // Orders valid from 30 days ago for one year, so the demo has capacity today and billing history.
  const validFrom = new Date(now.getTime() - 30 * 86_400_000);
  const validTo = new Date(validFrom.getTime() + 365 * 86_400_000);

  const tenant = await db
    .insertInto('tenants')
    .values({ code: DEMO_TENANT_CODE, name: '示例租户', description: '演示用租户，包含两个信息系统。' })
    .returning('id')
    .executeTakeFirstOrThrow();

  const systems = [
    { code: 'gov-service', name: '政务服务平台', level: 3, cpu: 32, memory: 128, storage: 2000 },
    { code: 'data-exchange', name: '数据共享交换平台', level: 2, cpu: 16, memory: 64, storage: 1000 },
  ];
  for (const [index, system] of systems.entries()) {
    const row = await db
      .insertInto('information_systems')
      .values({
        tenant_id: tenant.id,
        code: system.code,
        name: system.name,
        protection_level: system.level,
        billing_mode: 'prepaid',
        // Prices in fen per unit per day.
        price_plan: JSON.stringify({ corePerDayFen: 500, memoryGiBPerDayFen: 200, storageGiBPerDayFen: 2 }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    await db
      .insertInto('resource_orders')
      .values({
        tenant_id: tenant.id,
        system_id: row.id,
        order_no: `DEMO-${now.getUTCFullYear()}-${String(index + 1).padStart(3, '0')}`,
        cpu_cores: system.cpu,
        memory_gib: system.memory,
        storage_gib: system.storage,
        valid_from: validFrom,
        valid_to: validTo,
        status: 'active',
      })
      .execute();
  }

  // Phone numbers from the 139 0000 xxxx block and example.com addresses: plausible shapes, no real people.
  await createContact(db, keyring, { tenantId: tenant.id, type: 'business', name: '张伟', phone: '13900001234', email: 'zhangwei@example.com' });
  await createContact(db, keyring, { tenantId: tenant.id, type: 'technical', name: '李娜', phone: '13900005678', email: 'lina@example.com' });

  await createUser(db, { username: 'admin', password, displayName: '平台管理员', isPlatformOperator: true });
  await createUser(db, { username: 'demo', password, displayName: '示例租户管理员', membership: { tenantId: tenant.id, role: 'admin' } });

  return { created: true, generatedPassword: options.password ? null : password };
}
