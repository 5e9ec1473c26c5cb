import type { AuthConfig, CloudConfig } from '../config/types.ts';
import { isJsonObject, optionalString, parseOpenStackTime, requireObject, type JsonObject } from '../decode.ts';
import { errorFromResponse } from '../error-body.ts';
import { invalidResponseError, OPENSTACK_ERROR_CODES, OpenStackError } from '../errors.ts';
import type { Transport } from '../transport/transport.ts';
import { parseCatalog, type CatalogService } from './catalog.ts';

export interface KeystoneToken {
  /** Value of `X-Subject-Token`, sent as `X-Auth-Token`. */
  value: string;
  expiresAt: Date;
  catalog: CatalogService[];
  projectId: string | null;
  projectName: string | null;
  userId: string | null;
  roles: string[];
}

/** Appends `/v3` to an auth URL without a version, as keystoneauth's discovery would find it. */
export function identityV3Url(authUrl: string): string {
  const trimmed = authUrl.replace(/\/+$/, '');
  return /\/v3(\.\d+)?$/.test(trimmed) ? trimmed : `${trimmed}/v3`;
}

function domainOf(name: string | undefined, id: string | undefined): JsonObject | undefined {
  if (id !== undefined) {
    return { id };
  }
  if (name !== undefined) {
    return { name };
  }
  return undefined;
}

function userOf(auth: AuthConfig): JsonObject {
  if (auth.userId !== undefined) {
    return { id: auth.userId };
  }
  return { name: auth.username, domain: domainOf(auth.userDomainName, auth.userDomainId) };
}

function projectScope(auth: AuthConfig): JsonObject {
  if (auth.projectId !== undefined) {
    return { project: { id: auth.projectId } };
  }
  return { project: { name: auth.projectName, domain: domainOf(auth.projectDomainName, auth.projectDomainId) } };
}

/** Builds the body of `POST /v3/auth/tokens` for the cloud's auth type. */
export function buildAuthRequestBody(cloud: CloudConfig): JsonObject {
  const auth = cloud.auth;

  if (cloud.authType === 'v3applicationcredential') {
    // An application credential is bound to its project, so Keystone rejects an explicit scope.
    const credential: JsonObject =
      auth.applicationCredentialId !== undefined
        ? { id: auth.applicationCredentialId, secret: auth.applicationCredentialSecret }
        : { name: auth.applicationCredentialName, secret: auth.applicationCredentialSecret, user: userOf(auth) };
    return { auth: { identity: { methods: ['application_credential'], application_credential: credential } } };
  }

  if (cloud.authType === 'token') {
    return { auth: { identity: { methods: ['token'], token: { id: auth.token } }, scope: projectScope(auth) } };
  }

  return {
    auth: {
      identity: { methods: ['password'], password: { user: { ...userOf(auth), password: auth.password } } },
      scope: projectScope(auth),
    },
  };
}

function parseTokenBody(bodyText: string, subjectToken: string, url: string): KeystoneToken {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    throw invalidResponseError('Keystone returned a token response that is not JSON', url);
  }

  const token = requireObject(requireObject(body, 'token response')['token'], 'token');
  const expiresAt = parseOpenStackTime(token['expires_at']);
  if (expiresAt === null) {
    throw invalidResponseError('Keystone returned a token without a valid expires_at', url);
  }

  const project = isJsonObject(token['project']) ? token['project'] : {};
  const user = isJsonObject(token['user']) ? token['user'] : {};
  const roles = Array.isArray(token['roles']) ? token['roles'] : [];

  return {
    value: subjectToken,
    expiresAt,
    catalog: parseCatalog(token['catalog']),
    projectId: optionalString(project, 'id'),
    projectName: optionalString(project, 'name'),
    userId: optionalString(user, 'id'),
    roles: roles.filter(isJsonObject).map((role) => optionalString(role, 'name') ?? '').filter((name) => name !== ''),
  };
}

/**
 * Issues a project-scoped token with `POST /v3/auth/tokens` (201, token in `X-Subject-Token`).
 * The POST creates no resource, so the transport may retry it like an idempotent request.
 */
export async function issueToken(cloud: CloudConfig, transport: Transport, signal?: AbortSignal): Promise<KeystoneToken> {
  const url = new URL(`${identityV3Url(cloud.auth.authUrl)}/auth/tokens`);
  const response = await transport.send({
    method: 'POST',
    url,
    json: buildAuthRequestBody(cloud),
    idempotent: true,
    signal,
    timeoutMs: cloud.apiTimeoutMs,
  });

  if (response.status < 200 || response.status > 299) {
    throw errorFromResponse({
      status: response.status,
      method: 'POST',
      url: url.href,
      bodyText: response.bodyText,
      requestId: response.requestId,
      sentRequestId: response.sentRequestId,
    });
  }

  const subjectToken = response.headers['x-subject-token'];
  if (subjectToken === undefined || subjectToken === '') {
    throw invalidResponseError('Keystone returned no X-Subject-Token header', url.href);
  }

  const token = parseTokenBody(response.bodyText, subjectToken, url.href);
  assertRequestedProject(cloud, token, url.href);
  return token;
}

/**
 * Rejects a token scoped to another project than the configuration names. An application
 * credential carries its own project and Keystone ignores any other, so without this check a
 * client meant for one project would silently act in the credential's project.
 */
function assertRequestedProject(cloud: CloudConfig, token: KeystoneToken, url: string): void {
  const requested = cloud.auth.projectId;
  if (requested === undefined || token.projectId === requested) return;

  throw new OpenStackError({
    code: OPENSTACK_ERROR_CODES.OS_FORBIDDEN,
    message:
      `Keystone scoped the token of cloud ${cloud.name} to project ${token.projectId ?? '(none)'}, not to the requested project ${requested}. ` +
      'An application credential works only in its own project: bind only that project to this cloud entry, or use password credentials.',
    url,
  });
}

/** Revokes a token with `DELETE /v3/auth/tokens`; any token may revoke itself. */
export async function revokeToken(cloud: CloudConfig, transport: Transport, authToken: string, tokenToRevoke: string): Promise<void> {
  const url = new URL(`${identityV3Url(cloud.auth.authUrl)}/auth/tokens`);
  const response = await transport.send({
    method: 'DELETE',
    url,
    headers: { 'X-Auth-Token': authToken, 'X-Subject-Token': tokenToRevoke },
    timeoutMs: cloud.apiTimeoutMs,
  });

  if (response.status !== 204 && response.status !== 200) {
    throw errorFromResponse({
      status: response.status,
      method: 'DELETE',
      url: url.href,
      bodyText: response.bodyText,
      requestId: response.requestId,
      sentRequestId: response.sentRequestId,
    });
  }
}
