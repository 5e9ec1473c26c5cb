import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { defaultSearchDirs } from '../../../src/openstack/config/clouds-yaml.ts';
import { OPENSTACK_ERROR_CODES, loadCloudConfig, type OpenStackError } from '../../../src/openstack/index.ts';

let root: string;
let cwdDir: string;
let userDir: string;
let siteDir: string;

function write(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function cloudYaml(name: string, username: string): string {
  return [
    'clouds:',
    `  ${name}:`,
    '    auth:',
    '      auth_url: http://127.0.0.1:5000/v3',
    `      username: ${username}`,
    '      password: from-file',
    '      project_name: demo',
    '      user_domain_name: Default',
    '      project_domain_name: Default',
    '    region_name: RegionOne',
    '',
  ].join('\n');
}

function catchError(run: () => unknown): OpenStackError {
  try {
    run();
  } catch (error) {
    return error as OpenStackError;
  }
  throw new Error('expected an error');
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'os-config-'));
  cwdDir = path.join(root, 'cwd');
  userDir = path.join(root, 'home', '.config', 'openstack');
  siteDir = path.join(root, 'etc', 'openstack');
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('clouds.yaml search', () => {
  it('lists openstacksdk folders in order', () => {
    const dirs = defaultSearchDirs({ cwd: '/work', homeDir: '/home/u', env: { XDG_CONFIG_HOME: '/home/u/xdg' } });

    expect(dirs).toEqual(['/work', '/home/u/xdg/openstack', '/home/u/.config/openstack', '/etc/xdg/openstack', '/etc/openstack']);
  });

  it('prefers the current folder over user and site folders', () => {
    write(cwdDir, 'clouds.yaml', cloudYaml('mycloud', 'from-cwd'));
    write(userDir, 'clouds.yaml', cloudYaml('mycloud', 'from-user'));
    write(siteDir, 'clouds.yaml', cloudYaml('mycloud', 'from-site'));

    const cloud = loadCloudConfig({ cloud: 'mycloud', env: {}, searchDirs: [cwdDir, userDir, siteDir] });

    expect(cloud.auth.username).toBe('from-cwd');
    expect(cloud.sourceFile).toBe(path.join(cwdDir, 'clouds.yaml'));
  });

  it('falls back to the user and then site folder', () => {
    write(siteDir, 'clouds.yaml', cloudYaml('mycloud', 'from-site'));
    expect(loadCloudConfig({ cloud: 'mycloud', env: {}, searchDirs: [cwdDir, userDir, siteDir] }).auth.username).toBe('from-site');

    write(userDir, 'clouds.yml', cloudYaml('mycloud', 'from-user'));
    expect(loadCloudConfig({ cloud: 'mycloud', env: {}, searchDirs: [cwdDir, userDir, siteDir] }).auth.username).toBe('from-user');
  });

  it('uses OS_CLIENT_CONFIG_FILE before the folders', () => {
    write(cwdDir, 'clouds.yaml', cloudYaml('mycloud', 'from-cwd'));
    const override = write(path.join(root, 'elsewhere'), 'my-clouds.yaml', cloudYaml('mycloud', 'from-override'));

    const cloud = loadCloudConfig({ cloud: 'mycloud', env: { OS_CLIENT_CONFIG_FILE: override }, searchDirs: [cwdDir] });

    expect(cloud.auth.username).toBe('from-override');
  });

  it('reads clouds.json', () => {
    write(cwdDir, 'clouds.json', JSON.stringify({ clouds: { jsoncloud: { auth: { auth_url: 'http://127.0.0.1:5000', username: 'u', password: 'p', project_id: 'p1' } } } }));

    const cloud = loadCloudConfig({ env: {}, searchDirs: [cwdDir] });

    expect(cloud.name).toBe('jsoncloud');
    expect(cloud.auth.projectId).toBe('p1');
  });
});

describe('secure.yaml merge', () => {
  it('deep-merges secrets into the cloud', () => {
    write(cwdDir, 'clouds.yaml', cloudYaml('mycloud', 'alice').replace('      password: from-file\n', ''));
    write(userDir, 'secure.yaml', 'clouds:\n  mycloud:\n    auth:\n      password: from-secure\n');

    const cloud = loadCloudConfig({ cloud: 'mycloud', env: {}, searchDirs: [cwdDir, userDir] });

    expect(cloud.auth.password).toBe('from-secure');
    expect(cloud.auth.username).toBe('alice');
    expect(cloud.auth.projectName).toBe('demo');
  });

  it('uses OS_CLIENT_SECURE_FILE first', () => {
    write(cwdDir, 'clouds.yaml', cloudYaml('mycloud', 'alice'));
    write(cwdDir, 'secure.yaml', 'clouds:\n  mycloud:\n    auth:\n      password: from-folder\n');
    const secureFile = write(root, 'secrets.yaml', 'clouds:\n  mycloud:\n    auth:\n      password: from-override\n');

    const cloud = loadCloudConfig({ cloud: 'mycloud', env: { OS_CLIENT_SECURE_FILE: secureFile }, searchDirs: [cwdDir] });

    expect(cloud.auth.password).toBe('from-override');
  });
});

describe('cloud selection', () => {
  beforeEach(() => {
    write(cwdDir, 'clouds.yaml', cloudYaml('first', 'one') + cloudYaml('second', 'two').replace('clouds:\n', ''));
  });

  it('selects the cloud named by OS_CLOUD', () => {
    const cloud = loadCloudConfig({ env: { OS_CLOUD: 'second' }, searchDirs: [cwdDir] });

    expect(cloud.name).toBe('second');
    expect(cloud.auth.username).toBe('two');
  });

  it('prefers the explicit name over OS_CLOUD', () => {
    expect(loadCloudConfig({ cloud: 'first', env: { OS_CLOUD: 'second' }, searchDirs: [cwdDir] }).name).toBe('first');
  });

  it('rejects an ambiguous choice', () => {
    const error = catchError(() => loadCloudConfig({ env: {}, searchDirs: [cwdDir] }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_CONFIG);
    expect(error.message).toContain('first, second');
  });

  it('rejects an unknown cloud name', () => {
    const error = catchError(() => loadCloudConfig({ cloud: 'missing', env: {}, searchDirs: [cwdDir] }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_CONFIG);
    expect(error.message).toContain('Cloud "missing" is not defined');
  });

  it('lets OS_REGION_NAME override the region', () => {
    expect(loadCloudConfig({ cloud: 'first', env: { OS_REGION_NAME: 'RegionTwo' }, searchDirs: [cwdDir] }).regionName).toBe('RegionTwo');
  });
});

describe('OS_* variables', () => {
  const openrc = {
    OS_AUTH_URL: 'http://127.0.0.1:5000/v3',
    OS_USERNAME: 'demo',
    OS_PASSWORD: 'secret',
    OS_PROJECT_NAME: 'demo',
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: 'RegionOne',
    OS_INTERFACE: 'internal',
    OS_IDENTITY_API_VERSION: '3',
  };

  it('builds the envvars cloud from an openrc', () => {
    const cloud = loadCloudConfig({ env: openrc, searchDirs: [cwdDir] });

    expect(cloud.name).toBe('envvars');
    expect(cloud.authType).toBe('password');
    expect(cloud.auth).toMatchObject({ authUrl: openrc.OS_AUTH_URL, username: 'demo', password: 'secret', projectName: 'demo', userDomainName: 'Default' });
    expect(cloud.regionName).toBe('RegionOne');
    expect(cloud.interface).toBe('internal');
    expect(cloud.sourceFile).toBeUndefined();
  });

  it('maps legacy tenant and endpoint type names', () => {
    const cloud = loadCloudConfig({
      env: { OS_AUTH_URL: 'http://127.0.0.1:5000', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_TENANT_NAME: 'legacy', OS_ENDPOINT_TYPE: 'publicURL' },
      searchDirs: [cwdDir],
    });

    expect(cloud.auth.projectName).toBe('legacy');
    expect(cloud.interface).toBe('public');
    expect(cloud.auth.userDomainId).toBe('default');
  });

  it('reads OS_INSECURE and OS_CACERT', () => {
    const cloud = loadCloudConfig({ env: { ...openrc, OS_INSECURE: 'true', OS_CACERT: '/etc/ssl/ca.pem' }, searchDirs: [cwdDir] });

    expect(cloud.verify).toBe(false);
    expect(cloud.cacert).toBe('/etc/ssl/ca.pem');
  });

  it('prefers OS_CLOUD over the envvars cloud', () => {
    write(cwdDir, 'clouds.yaml', cloudYaml('filecloud', 'from-file'));

    const cloud = loadCloudConfig({ env: { ...openrc, OS_CLOUD: 'filecloud' }, searchDirs: [cwdDir] });

    expect(cloud.auth.username).toBe('from-file');
  });

  it('names the envvars cloud after OS_CLOUD_NAME', () => {
    expect(loadCloudConfig({ env: { ...openrc, OS_CLOUD_NAME: 'mine' }, searchDirs: [cwdDir] }).name).toBe('mine');
  });

  it('ignores selector-only variables', () => {
    const error = catchError(() => loadCloudConfig({ env: { OS_REGION_NAME: 'RegionOne' }, searchDirs: [cwdDir] }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_CONFIG);
    expect(error.message).toContain('No OpenStack cloud is configured');
  });
});

describe('auth types', () => {
  function loadWith(cloudBody: string): ReturnType<typeof loadCloudConfig> {
    write(cwdDir, 'clouds.yaml', `clouds:\n  c:\n${cloudBody}`);
    return loadCloudConfig({ cloud: 'c', env: {}, searchDirs: [cwdDir] });
  }

  it('reads v3applicationcredential', () => {
    const cloud = loadWith(
      '    auth_type: v3applicationcredential\n    auth:\n      auth_url: http://127.0.0.1:5000/v3\n      application_credential_id: ac1\n      application_credential_secret: s3cret\n',
    );

    expect(cloud.authType).toBe('v3applicationcredential');
    expect(cloud.auth.applicationCredentialId).toBe('ac1');
    expect(cloud.auth.applicationCredentialSecret).toBe('s3cret');
  });

  it('reads token', () => {
    const cloud = loadWith('    auth_type: v3token\n    auth:\n      auth_url: http://127.0.0.1:5000/v3\n      token: abc\n      project_id: p1\n');

    expect(cloud.authType).toBe('token');
    expect(cloud.auth.token).toBe('abc');
  });

  it('rejects an unsupported auth type', () => {
    const error = catchError(() => loadWith('    auth_type: v3oidcpassword\n    auth:\n      auth_url: http://x/v3\n'));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_CONFIG);
    expect(error.message).toContain('v3oidcpassword');
  });

  it('names missing password fields', () => {
    const error = catchError(() => loadWith('    auth:\n      auth_url: http://127.0.0.1:5000/v3\n      username: u\n'));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_CONFIG);
    expect(error.message).toContain('password');
    expect(error.message).toContain('project_name or project_id');
  });

  it('reads verify, cacert and api_timeout', () => {
    const cloud = loadWith(
      '    auth:\n      auth_url: http://127.0.0.1:5000/v3\n      username: u\n      password: p\n      project_id: p1\n    verify: false\n    cacert: /tmp/ca.pem\n    api_timeout: 2.5\n',
    );

    expect(cloud.verify).toBe(false);
    expect(cloud.cacert).toBe('/tmp/ca.pem');
    expect(cloud.apiTimeoutMs).toBe(2500);
  });

  it('rejects Keystone v2', () => {
    const error = catchError(() => loadWith('    identity_api_version: 2\n    auth:\n      auth_url: http://x\n      username: u\n      password: p\n      project_id: p\n'));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_CONFIG);
  });
});
