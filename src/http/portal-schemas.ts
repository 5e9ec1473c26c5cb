import { Type, type Static, type TSchema, type TUnsafe } from 'typebox';

// Request and response schemas shared by the tenant and admin routes. Limits mirror the database
// checks in migrations/0001-initial-schema.ts, so invalid input is reported by field before SQL.

/**
 * Marks a schema as accepting null, with OpenAPI 3.0's `nullable`, which Ajv also reads. An anyOf
 * with a null branch is wrong here because Ajv runs with type coercion. It would turn 0, "" and
 * false into null in the null branch, or null into "" or 0 in the other branch.
 */
export function nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, nullable: true });
}

const DateTime = Type.String({ format: 'date-time' });

/** Lowercase letters, digits and hyphens, 2 to 63 characters; the database checks the same. */
export const Code = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', description: 'Lowercase letters, digits and hyphens, 2–63 characters.' });
export const Description = Type.String({ maxLength: 1000 });
export const SearchText = Type.String({ minLength: 1, maxLength: 64, description: 'Case-insensitive text searched in name and code.' });

/** A Chinese mobile number (13812341234) or a landline with area code (010-12345678). */
export const Phone = Type.String({ pattern: '^(1[3-9]\\d{9}|0\\d{2,3}-?\\d{7,8})$', description: 'Chinese mobile number or landline with area code.' });
export const Email = Type.String({ format: 'email', maxLength: 254 });
export const ContactTypeSchema = Type.Enum(['business', 'technical', 'security', 'finance', 'other']);

export const Username = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$', description: 'Letters, digits, dot, underscore and hyphen, 2–64 characters.' });
export const DisplayName = Type.String({ minLength: 1, maxLength: 64 });
/** The policy (length, letters and digits) is checked after validation and reported as PASSWORD_TOO_WEAK. */
export const Password = Type.String({ minLength: 1, maxLength: 256 });
export const TenantRoleSchema = Type.Enum(['viewer', 'operator', 'admin']);
export const UserStatusSchema = Type.Enum(['active', 'disabled']);

export const TenantStatusSchema = Type.Enum(['active', 'suspended', 'archived']);
export const SystemStatusSchema = Type.Enum(['active', 'suspended', 'retired']);
export const OrderStatusSchema = Type.Enum(['pending', 'active', 'cancelled']);
export const BillingModeSchema = Type.Enum(['prepaid', 'usage']);

const Fen = Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'Fen (1/100 yuan).' });

/** Prices per unit per day (prepaid) or per unit-hour (usage); the keys must match the billing mode. */
export const PricePlanSchema = Type.Union([
  Type.Object({ corePerDayFen: Fen, memoryGiBPerDayFen: Fen, storageGiBPerDayFen: Fen }, { additionalProperties: false }),
  Type.Object({ corePerHourFen: Fen, memoryGiBPerHourFen: Fen, storageGiBPerHourFen: Fen }, { additionalProperties: false }),
]);

export const ProjectBindingSchema = Type.Object({
  cloud: Type.String(),
  region: nullable(Type.String()),
  projectId: Type.String(),
  projectName: nullable(Type.String()),
});

export const TenantSchema = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  status: Type.String(),
  description: Type.String(),
  binding: nullable(ProjectBindingSchema),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const ContactSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  type: Type.String(),
  name: Type.String(),
  phoneMasked: nullable(Type.String({ description: 'Masked, for example 138****1234.' })),
  emailMasked: nullable(Type.String({ description: 'Masked, for example z***@example.com.' })),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const SystemSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  code: Type.String(),
  name: Type.String(),
  description: Type.String(),
  status: Type.String(),
  protectionLevel: nullable(Type.Integer()),
  billingMode: Type.String(),
  pricePlan: Type.Record(Type.String(), Type.Integer()),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const OrderSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  systemId: Type.String(),
  orderNo: Type.String(),
  cpuCores: Type.Integer(),
  memoryGiB: Type.Integer(),
  storageGiB: Type.Integer(),
  validFrom: DateTime,
  validTo: DateTime,
  status: Type.String(),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const Amounts = Type.Object({
  cpu: Type.Number({ description: 'Cores.' }),
  memoryGiB: Type.Number({ description: 'GiB; VM memory is converted from MiB, so it may be fractional.' }),
  storageGiB: Type.Number({ description: 'GiB; root disk plus data volumes.' }),
});

export const CapacitySummarySchema = Type.Object({
  systemId: Type.String(),
  systemCode: Type.String(),
  systemName: Type.String(),
  systemStatus: Type.String(),
  ordered: Amounts,
  used: Amounts,
  remaining: Amounts,
});

export const UserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  isPlatformOperator: Type.Boolean(),
  status: Type.String(),
  tenant: nullable(Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() })),
  role: nullable(Type.String()),
  createdAt: DateTime,
  lastLoginAt: nullable(DateTime),
});

export const AdjustmentSchema = Type.Object({
  id: Type.String(),
  systemId: Type.String(),
  vmId: nullable(Type.String()),
  subject: Type.String(),
  dimension: Type.String(),
  oldValue: Type.Number(),
  newValue: Type.Number(),
  direction: Type.String(),
  source: Type.String(),
  operationId: nullable(Type.String()),
  detectedAt: DateTime,
});
