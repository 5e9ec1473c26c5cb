/** Query values; undefined entries are left out and arrays repeat the key. */
export type QueryValue = string | number | boolean | undefined | null | readonly string[];
export type Query = Record<string, QueryValue>;

/** Joins an endpoint base and a path such as `/servers/detail` and appends the query. */
export function buildUrl(baseUrl: string, path: string, query?: Query): URL {
  const base = baseUrl.replace(/\/+$/, '');
  const suffix = path === '' || path.startsWith('/') ? path : `/${path}`;
  const url = new URL(base + suffix);
  appendQuery(url, query);
  return url;
}

export function appendQuery(url: URL, query: Query | undefined): void {
  if (query === undefined) {
    return;
  }
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) {
      continue;
    }
    if (Array.isArray(value)) {
      for (const item of value) {
        url.searchParams.append(key, item);
      }
      continue;
    }
    url.searchParams.append(key, String(value));
  }
}

/**
 * Resolves a paging link against the endpoint it came from. Glance sends relative links such as
 * `/v2/images?marker=...` that omit any path prefix of the endpoint (e.g. `http://host/image`),
 * so the prefix before the link's first segment is kept. An absolute link to another origin keeps
 * only its path and query and is sent to the endpoint's origin, so the token never leaves the
 * configured endpoint.
 */
export function resolveLink(endpointUrl: string, link: string): URL {
  const endpoint = new URL(endpointUrl);
  const parsed = new URL(link, endpoint.origin);
  if (/^[a-z][a-z0-9+.-]*:/i.test(link) && parsed.origin === endpoint.origin) {
    return parsed;
  }

  const firstSegment = parsed.pathname.split('/')[1] ?? '';
  const endpointPath = endpoint.pathname.replace(/\/+$/, '');
  const segmentIndex = firstSegment === '' ? -1 : `${endpointPath}/`.indexOf(`/${firstSegment}/`);
  const alreadyPrefixed = segmentIndex === 0 || parsed.pathname.startsWith(`${endpointPath}/`);
  const prefix = alreadyPrefixed || segmentIndex < 0 ? '' : endpointPath.slice(0, segmentIndex);
  return new URL(prefix + parsed.pathname + parsed.search, endpoint.origin);
}
