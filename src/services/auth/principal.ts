import type { Permission, TenantRole } from '../../domain/roles.ts';

/** The authenticated caller of one request. */
export interface Principal {
  userId: string;
  username: string;
  displayName: string;
  isPlatformOperator: boolean;
  /** The tenant this request acts in; null for operators and users without a membership. */
  tenantId: string | null;
  tenantRole: TenantRole | null;
  permissions: Permission[];
  via: 'session' | 'token';
  /** Present for session callers; state-changing requests must echo it in X-CSRF-Token. */
  csrfToken: string | null;
  sessionIdHash: string | null;
}
