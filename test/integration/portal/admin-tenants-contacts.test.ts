import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptField } from '../../../src/services/crypto/index.ts';
import { EMAIL_CONTEXT, PHONE_CONTEXT } from '../../../src/services/contacts.ts';
import { createTenant, createTestUser, loginAs, type SessionCredentials } from '../../helpers/fixtures.ts';
import { openTestApp, type TestApp } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

const UNKNOWN_ID = '00000000-0000-4000-8000-00000000abcd';

describe.each(databaseKinds())('admin tenants and contacts on %s', (kind) => {
  let t: TestApp;
  let operator: SessionCredentials;
  let tenantAdmin: SessionCredentials;

  const send = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, session: SessionCredentials = operator) =>
    t.app.inject({ method, url, headers: session.headers, ...(payload !== undefined ? { payload: payload as object } : {}) });

  const auditRows = (targetId: string) =>
    t.handle.database.db.selectFrom('audit_log').selectAll().where('target_id', '=', targetId).orderBy('occurred_at').execute();

  const tenantCount = async () => Number((await t.handle.database.db.selectFrom('tenants').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    // Bindings must name clouds of clouds.yaml; nothing is sent to these addresses.
    const folder = mkdtempSync(join(tmpdir(), 'tp-tenants-'));
    const cloudsYaml = join(folder, 'clouds.yaml');
    const entry = (name: string) => `  ${name}:\n    auth:\n      auth_url: http://127.0.0.1:9/v3\n      username: u\n      password: p\n      project_name: p\n      user_domain_name: Default\n      project_domain_name: Default\n`;
    writeFileSync(cloudsYaml, `clouds:\n${entry('sim')}${entry('sim-2')}`);
    t = await openTestApp(kind, { OS_CLIENT_CONFIG_FILE: cloudsYaml });
    const db = t.handle.database.db;
    const home = await createTenant(db, 'home');
    await createTestUser(db, 'root-rita', { platformOperator: true });
    await createTestUser(db, 'admin-adam', { tenantId: home.id, role: 'admin' });
    operator = await loginAs(t.app, 'root-rita');
    tenantAdmin = await loginAs(t.app, 'admin-adam');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('creates a tenant bound to a project and audits it', async () => {
    const response = await send('POST', '/api/v1/admin/tenants', { code: 'water-bureau', name: '水务局', description: '市水务局', cloud: 'sim', region: 'RegionOne', projectId: 'p-water', projectName: 'water' });
    expect(response.statusCode).toBe(201);
    const tenant = response.json();
    expect(tenant).toMatchObject({ code: 'water-bureau', name: '水务局', status: 'active', binding: { cloud: 'sim', region: 'RegionOne', projectId: 'p-water', projectName: 'water' } });

    const audit = await auditRows(tenant.id);
    expect(audit.map((row) => row.action)).toEqual(['tenant.create']);
    expect(audit[0]?.request_id).toBe(response.headers['x-request-id']);
    expect(audit[0]?.client_address).toBeTruthy();
    expect(audit[0]?.actor_user_id).toBeTruthy();
  });

  it('rejects a duplicate code, name and project with 409 naming them', async () => {
    const code = await send('POST', '/api/v1/admin/tenants', { code: 'water-bureau', name: '另一个' });
    expect(code.statusCode).toBe(409);
    expect(code.json().code).toBe('DUPLICATE_VALUE');
    expect(code.json().detail).toContain('water-bureau');

    const name = await send('POST', '/api/v1/admin/tenants', { code: 'water-2', name: '水务局' });
    expect(name.statusCode).toBe(409);
    expect(name.json().detail).toContain('名称为 水务局');

    const before = await tenantCount();
    const project = await send('POST', '/api/v1/admin/tenants', { code: 'water-3', name: '水务三', cloud: 'sim', region: 'RegionOne', projectId: 'p-water' });
    expect(project.statusCode).toBe(409);
    expect(project.json().code).toBe('PROJECT_ALREADY_BOUND');
    expect(project.json().detail).toContain('p-water');
    expect(await tenantCount()).toBe(before);

    // A Keystone project spans the cloud's regions, so another region or none binds the same project.
    for (const [code, region] of [['water-4', 'RegionTwo'], ['water-5', null]] as const) {
      const otherRegion = await send('POST', '/api/v1/admin/tenants', { code, name: `水务 ${code}`, cloud: 'sim', region, projectId: 'p-water' });
      expect(otherRegion.statusCode).toBe(409);
    }
    const otherCloud = await send('POST', '/api/v1/admin/tenants', { code: 'water-4', name: '水务四', cloud: 'sim-2', region: 'RegionOne', projectId: 'p-water' });
    expect(otherCloud.statusCode).toBe(201);
  });

  it.each([
    [{ code: 'Bad Code', name: 'x' }, 'code', 'format'],
    [{ code: 'ok-code', name: '' }, 'name', 'too_short'],
    [{ code: 'ok-code', name: 'x', owner: 'me' }, 'owner', 'unknown_field'],
    [{ code: 'ok-code', name: 'x', cloud: 'sim' }, 'projectId', 'required'],
    [{ code: 'ok-code', name: 'x', projectId: 'p-1' }, 'cloud', 'required'],
    [{ code: 'ok-code', name: 'x', region: 'RegionOne' }, 'region', 'not_allowed'],
    [{ name: 'x' }, 'code', 'required'],
  ])('rejects the tenant %j and creates nothing', async (payload, field, code) => {
    const before = await tenantCount();
    const response = await send('POST', '/api/v1/admin/tenants', payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toContainEqual(expect.objectContaining({ field, code }));
    expect(await tenantCount()).toBe(before);
  });

  it('lists, filters and gets tenants', async () => {
    const list = (await send('GET', '/api/v1/admin/tenants?q=water&sort=code')).json();
    expect(list.items.map((item: { code: string }) => item.code)).toEqual(['water-4', 'water-bureau']);
    expect(list.total).toBe(2);

    const detail = await send('GET', `/api/v1/admin/tenants/${list.items[1].id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().name).toBe('水务局');

    const unknown = await send('GET', `/api/v1/admin/tenants/${UNKNOWN_ID}`);
    expect(unknown.statusCode).toBe(404);
  });

  it('unbinds, rebinds and changes status with audit rows', async () => {
    const created = (await send('POST', '/api/v1/admin/tenants', { code: 'traffic', name: '交通局', cloud: 'sim', projectId: 'p-traffic', projectName: 'traffic' })).json();

    const unbound = await send('PATCH', `/api/v1/admin/tenants/${created.id}`, { cloud: null, projectId: null });
    expect(unbound.statusCode).toBe(200);
    expect(unbound.json().binding).toBeNull();
    const row = await t.handle.database.db.selectFrom('tenants').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.project_name).toBeNull();

    const half = await send('PATCH', `/api/v1/admin/tenants/${created.id}`, { cloud: 'sim' });
    expect(half.statusCode).toBe(400);
    expect(half.json().errors).toContainEqual(expect.objectContaining({ field: 'projectId' }));

    const boundElsewhere = await send('PATCH', `/api/v1/admin/tenants/${created.id}`, { cloud: 'sim', region: 'RegionOne', projectId: 'p-water' });
    expect(boundElsewhere.statusCode).toBe(409);
    expect(boundElsewhere.json().code).toBe('PROJECT_ALREADY_BOUND');
    const noRegion = await send('PATCH', `/api/v1/admin/tenants/${created.id}`, { cloud: 'sim', region: null, projectId: 'p-water' });
    expect(noRegion.statusCode).toBe(409);

    const misspelled = await send('PATCH', `/api/v1/admin/tenants/${created.id}`, { cloud: 'sim-dmeo', projectId: 'p-traffic-3' });
    expect(misspelled.statusCode).toBe(400);
    expect(misspelled.json().errors).toContainEqual(expect.objectContaining({ field: 'cloud', code: 'unknown_cloud' }));

    const rebound = await send('PATCH', `/api/v1/admin/tenants/${created.id}`, { cloud: 'sim', projectId: 'p-traffic-2' });
    expect(rebound.json().binding).toEqual({ cloud: 'sim', region: null, projectId: 'p-traffic-2', projectName: null });

    const suspended = await send('PATCH', `/api/v1/admin/tenants/${created.id}`, { status: 'suspended' });
    expect(suspended.json().status).toBe('suspended');

    const badStatus = await send('PATCH', `/api/v1/admin/tenants/${created.id}`, { status: 'deleted' });
    expect(badStatus.statusCode).toBe(400);

    const renameCode = await send('PATCH', `/api/v1/admin/tenants/${created.id}`, { code: 'other' });
    expect(renameCode.statusCode).toBe(400);

    const emptyPatch = await send('PATCH', `/api/v1/admin/tenants/${created.id}`, {});
    expect(emptyPatch.statusCode).toBe(400);

    const unknown = await send('PATCH', `/api/v1/admin/tenants/${UNKNOWN_ID}`, { status: 'active' });
    expect(unknown.statusCode).toBe(404);

    const audit = await auditRows(created.id);
    expect(audit.map((entry) => entry.action)).toEqual(['tenant.create', 'tenant.update', 'tenant.update', 'tenant.update']);
    expect(audit[3]?.details).toMatchObject({ fields: ['status'], status: { from: 'active', to: 'suspended' } });
  });

  it('forbids tenant users every admin tenant route', async () => {
    const home = await t.handle.database.db.selectFrom('tenants').select('id').where('code', '=', 'home').executeTakeFirstOrThrow();
    const attempts = [
      send('GET', '/api/v1/admin/tenants', undefined, tenantAdmin),
      send('GET', `/api/v1/admin/tenants/${home.id}`, undefined, tenantAdmin),
      send('POST', '/api/v1/admin/tenants', { code: 'sneaky', name: 'sneaky' }, tenantAdmin),
      send('PATCH', `/api/v1/admin/tenants/${home.id}`, { status: 'archived' }, tenantAdmin),
      send('GET', `/api/v1/admin/tenants/${home.id}/contacts`, undefined, tenantAdmin),
      send('POST', `/api/v1/admin/tenants/${home.id}/contacts`, { type: 'business', name: '某人' }, tenantAdmin),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('FORBIDDEN');
    }
    const status = await t.handle.database.db.selectFrom('tenants').select('status').where('id', '=', home.id).executeTakeFirstOrThrow();
    expect(status.status).toBe('active');
  });

  describe('contacts', () => {
    let tenantId: string;
    let contactId: string;

    beforeAll(async () => {
      tenantId = (await send('POST', '/api/v1/admin/tenants', { code: 'health', name: '卫健委' })).json().id;
    });

    it('adds a contact stored encrypted and returned masked', async () => {
      const response = await send('POST', `/api/v1/admin/tenants/${tenantId}/contacts`, { type: 'technical', name: '赵六', phone: '13700001111', email: 'zhao.liu@example.com' });
      expect(response.statusCode).toBe(201);
      const contact = response.json();
      contactId = contact.id;
      expect(contact).toMatchObject({ tenantId, type: 'technical', name: '赵六', phoneMasked: '137****1111', emailMasked: 'z***@example.com' });
      expect(response.body).not.toContain('13700001111');
      expect(response.body).not.toContain('zhao.liu');

      const row = await t.handle.database.db.selectFrom('contacts').selectAll().where('id', '=', contactId).executeTakeFirstOrThrow();
      expect(row.phone_encrypted).toMatch(/^v1\./);
      expect(row.phone_encrypted).not.toContain('13700001111');
      expect(decryptField(t.keyring, row.phone_encrypted ?? '', PHONE_CONTEXT)).toBe('13700001111');
      expect(decryptField(t.keyring, row.email_encrypted ?? '', EMAIL_CONTEXT)).toBe('zhao.liu@example.com');

      const audit = await auditRows(contactId);
      expect(audit.map((entry) => entry.action)).toEqual(['contact.create']);
      expect(JSON.stringify(audit[0]?.details)).not.toContain('13700001111');
      expect(JSON.stringify(audit[0]?.details)).not.toContain('zhao.liu');
    });

    it('accepts a landline number', async () => {
      const response = await send('POST', `/api/v1/admin/tenants/${tenantId}/contacts`, { type: 'security', name: '钱七', phone: '010-62345678' });
      expect(response.statusCode).toBe(201);
      expect(response.json().phoneMasked).toBe('010*****5678');
      expect(response.json().emailMasked).toBeNull();
    });

    it.each([
      [{ type: 'business', name: '孙八', phone: '12345678901' }, 'phone', 'format'],
      [{ type: 'business', name: '孙八', phone: '1381234123' }, 'phone', 'format'],
      [{ type: 'business', name: '孙八', email: 'not-an-email' }, 'email', 'format'],
      [{ type: 'boss', name: '孙八' }, 'type', 'not_allowed'],
      [{ type: 'business', name: 'x'.repeat(65) }, 'name', 'too_long'],
      [{ type: 'business', name: '孙八', wechat: 'sun8' }, 'wechat', 'unknown_field'],
    ])('rejects the contact %j and stores nothing', async (payload, field, code) => {
      const before = (await send('GET', `/api/v1/admin/tenants/${tenantId}/contacts`)).json().total;
      const response = await send('POST', `/api/v1/admin/tenants/${tenantId}/contacts`, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toContainEqual(expect.objectContaining({ field, code }));
      expect((await send('GET', `/api/v1/admin/tenants/${tenantId}/contacts`)).json().total).toBe(before);
    });

    it('answers 404 for contacts of an unknown tenant', async () => {
      expect((await send('GET', `/api/v1/admin/tenants/${UNKNOWN_ID}/contacts`)).statusCode).toBe(404);
      const created = await send('POST', `/api/v1/admin/tenants/${UNKNOWN_ID}/contacts`, { type: 'business', name: '无主' });
      expect(created.statusCode).toBe(404);
      expect(created.json().detail).toContain('租户');
    });

    it('lists contacts masked', async () => {
      const response = await send('GET', `/api/v1/admin/tenants/${tenantId}/contacts`);
      expect(response.statusCode).toBe(200);
      expect(response.json().total).toBe(2);
      expect(response.body).not.toContain('13700001111');
      expect(response.body).not.toContain('62345678');
      expect(response.body).not.toContain('v1.');
    });

    it('updates a phone, removes an email and audits field names only', async () => {
      const response = await send('PATCH', `/api/v1/admin/contacts/${contactId}`, { phone: '13611112222', email: null });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ name: '赵六', phoneMasked: '136****2222', emailMasked: null });

      const row = await t.handle.database.db.selectFrom('contacts').selectAll().where('id', '=', contactId).executeTakeFirstOrThrow();
      expect(decryptField(t.keyring, row.phone_encrypted ?? '', PHONE_CONTEXT)).toBe('13611112222');
      expect(row.email_encrypted).toBeNull();
      expect(row.email_masked).toBeNull();

      const audit = await auditRows(contactId);
      expect(audit.at(-1)?.action).toBe('contact.update');
      expect(audit.at(-1)?.details).toEqual({ fields: ['email', 'phone'] });
    });

    it('keeps fields that a patch does not send', async () => {
      const response = await send('PATCH', `/api/v1/admin/contacts/${contactId}`, { name: '赵六六' });
      expect(response.json()).toMatchObject({ name: '赵六六', phoneMasked: '136****2222' });
    });

    it('rejects a bad contact patch and changes nothing', async () => {
      const response = await send('PATCH', `/api/v1/admin/contacts/${contactId}`, { phone: '555' });
      expect(response.statusCode).toBe(400);
      const row = await t.handle.database.db.selectFrom('contacts').select('phone_masked').where('id', '=', contactId).executeTakeFirstOrThrow();
      expect(row.phone_masked).toBe('136****2222');
    });

    it('deletes a contact once', async () => {
      expect((await send('DELETE', `/api/v1/admin/contacts/${contactId}`)).statusCode).toBe(204);
      expect((await send('DELETE', `/api/v1/admin/contacts/${contactId}`)).statusCode).toBe(404);
      expect((await send('PATCH', `/api/v1/admin/contacts/${contactId}`, { name: 'x' })).statusCode).toBe(404);

      const audit = await auditRows(contactId);
      expect(audit.at(-1)?.action).toBe('contact.delete');
    });

    it('forbids tenant admins to change or delete contacts', async () => {
      const other = (await send('POST', `/api/v1/admin/tenants/${tenantId}/contacts`, { type: 'finance', name: '周九' })).json();
      expect((await send('PATCH', `/api/v1/admin/contacts/${other.id}`, { name: 'x' }, tenantAdmin)).statusCode).toBe(403);
      expect((await send('DELETE', `/api/v1/admin/contacts/${other.id}`, undefined, tenantAdmin)).statusCode).toBe(403);
    });
  });
});
