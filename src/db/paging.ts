import { sql, type SelectQueryBuilder } from 'kysely';

// Paged list queries. A page costs two statements whatever its size: one count and one select
// with LIMIT and OFFSET, so list endpoints run a fixed number of statements per request.

export interface PageRequest {
  page: number;
  page_size: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  page_size: number;
  total: number;
}

export interface SortOrder<F extends string> {
  field: F;
  direction: 'asc' | 'desc';
}

/** Splits a validated `sort` value into its field and direction. */
export function parseSort<F extends string>(value: F | `-${F}` | undefined, defaultSort: F | `-${F}`): SortOrder<F> {
  const chosen = value ?? defaultSort;
  return chosen.startsWith('-') ? { field: chosen.slice(1) as F, direction: 'desc' } : { field: chosen as F, direction: 'asc' };
}

/** The part of a Kysely select that paging needs; lateral joins may change its table list. */
interface RowsQuery<O> {
  limit(limit: number): { offset(offset: number): { execute(): Promise<O[]> } };
}

/**
 * Runs one page of a list: a count over `filtered` (FROM, joins that do not multiply rows, and
 * WHERE only), then `selectRows(filtered)` with LIMIT and OFFSET. `selectRows` adds the columns
 * and an ORDER BY that ends with a unique column, so pages neither overlap nor skip rows.
 */
export async function fetchPage<DB, TB extends keyof DB, O>(
  filtered: SelectQueryBuilder<DB, TB, object>,
  selectRows: (query: SelectQueryBuilder<DB, TB, object>) => RowsQuery<O>,
  request: PageRequest,
): Promise<Page<O>> {
  // Kysely cannot resolve the selection type over generic tables, hence the cast.
  const counted = (await filtered.select(sql<number | string>`count(*)`.as('total')).executeTakeFirstOrThrow()) as { total: number | string };

  const offset = (request.page - 1) * request.page_size;
  const rows = await selectRows(filtered).limit(request.page_size).offset(offset).execute();

  return { items: rows, page: request.page, page_size: request.page_size, total: Number(counted.total) };
}

/** Maps the rows of a page to their response form. */
export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { ...page, items: page.items.map(map) };
}

/** Escapes LIKE wildcards in user text, for `q` filters matched with ILIKE. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}
