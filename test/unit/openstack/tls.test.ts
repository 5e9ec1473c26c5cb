import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OPENSTACK_ERROR_CODES, createOpenStackClient, type OpenStackError } from '../../../src/openstack/index.ts';
import { Transport } from '../../../src/openstack/transport/transport.ts';

/** Generates a self-signed certificate for 127.0.0.1 with the openssl CLI; undefined when it is missing. */
function selfSignedCertificate(dir: string): { certFile: string; keyFile: string } | undefined {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { stdio: 'ignore' },
    );
  } catch {
    return undefined;
  }
  return { certFile, keyFile };
}

const dir = mkdtempSync(path.join(tmpdir(), 'os-tls-'));
const certificate = selfSignedCertificate(dir);
let server: https.Server;
let origin: string;

async function rejection(promise: Promise<unknown>): Promise<OpenStackError> {
  try {
    await promise;
  } catch (error) {
    return error as OpenStackError;
  }
  throw new Error('expected a rejection');
}

describe.skipIf(certificate === undefined)('TLS settings (needs the openssl CLI)', () => {
  beforeAll(async () => {
    server = https.createServer({ cert: readFileSync(certificate?.certFile ?? ''), key: readFileSync(certificate?.keyFile ?? '') }, (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{"ok": true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects an unknown CA by default', async () => {
    const transport = new Transport({ tls: { rejectUnauthorized: true }, retryPolicy: { maxAttempts: 1 } });

    const error = await rejection(transport.send({ method: 'GET', url: new URL(`${origin}/`) }));
    transport.close();

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_CONNECTION);
    expect(error.message).toContain('SELF_SIGNED_CERT');
  });

  it('trusts the CA bundle from cacert', async () => {
    const transport = new Transport({ tls: { ca: readFileSync(certificate?.certFile ?? '', 'utf8'), rejectUnauthorized: true } });

    const response = await transport.send({ method: 'GET', url: new URL(`${origin}/`) });
    transport.close();

    expect(response.status).toBe(200);
  });

  it('skips verification with verify false', async () => {
    const transport = new Transport({ tls: { rejectUnauthorized: false } });

    const response = await transport.send({ method: 'GET', url: new URL(`${origin}/`) });
    transport.close();

    expect(response.status).toBe(200);
  });

  it('reads cacert from the cloud config', () => {
    expect(() =>
      createOpenStackClient({ name: 'c', authType: 'password', auth: { authUrl: `${origin}/v3` }, interface: 'public', verify: true, cacert: path.join(dir, 'missing.pem') }),
    ).toThrow(/Cannot read cacert/);
  });
});
