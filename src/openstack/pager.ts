import type { ServiceType } from './auth/catalog.ts';
import type { OpenStackClient } from './client.ts';
import { isJsonObject, requireArray, requireObject, type JsonObject } from './decode.ts';
import { invalidResponseError } from './errors.ts';
import type { Query } from './url.ts';

/** Reads the next-page link from a response body; undefined means the last page. */
export type NextLinkReader = (body: JsonObject) => string | undefined;

/** Nova, Neutron and Cinder: `<resource>_links: [{rel: "next", href}]`. */
export function nextFromLinksArray(key: string): NextLinkReader {
  return (body) => {
    const links = body[key];
    if (!Array.isArray(links)) {
      return undefined;
    }
    const next = links.find((link) => isJsonObject(link) && link['rel'] === 'next');
    return isJsonObject(next) && typeof next['href'] === 'string' ? next['href'] : undefined;
  };
}

/** Glance: a top-level `next` string, relative to the endpoint. */
export const nextFromGlance: NextLinkReader = (body) => (typeof body['next'] === 'string' ? body['next'] : undefined);

export interface PageQuery {
  service: ServiceType;
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface PagerOptions<T> {
  /** Key of the item array, e.g. `servers`, `images`, `networks`. */
  itemsKey: string;
  decode: (item: unknown) => T;
  nextLink: NextLinkReader;
  /** Bound on requests, so a service that keeps sending links cannot loop forever. */
  maxPages?: number;
}

export const DEFAULT_MAX_PAGES = 10_000;

/**
 * Yields one page of decoded items per request, following next links until a page comes back
 * empty or without a link. Nova sends a next link whenever a page is full, even when nothing
 * follows, so the last request of a listing often returns an empty page.
 */
export async function* paginate<T>(client: OpenStackClient, first: PageQuery, options: PagerOptions<T>): AsyncGenerator<T[]> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const seenLinks = new Set<string>();
  let link: string | undefined;

  for (let page = 1; page <= maxPages; page += 1) {
    const response = await client.request({
      service: first.service,
      method: 'GET',
      ...(link === undefined ? { path: first.path, query: first.query } : { link }),
      headers: first.headers,
      signal: first.signal,
    });

    const body = requireObject(response.body, `the body of ${response.url}`);
    const items = requireArray(body[options.itemsKey], `${options.itemsKey} in ${response.url}`).map(options.decode);
    if (items.length > 0) {
      yield items;
    }

    link = options.nextLink(body);
    if (link === undefined || items.length === 0) {
      return;
    }
    if (seenLinks.has(link)) {
      throw invalidResponseError(`Paging of ${first.path} returned the same next link twice: ${link}`, response.url);
    }
    seenLinks.add(link);
  }

  throw invalidResponseError(`Paging of ${first.path} did not end within ${maxPages} pages`);
}

/** Collects every item of every page. */
export async function collectAll<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) {
    all.push(...page);
  }
  return all;
}
