import { Type, type TSchema } from 'typebox';

// Every list endpoint pages the same way: `page` from 1, `page_size` from 1 to 100, and a response
// of {items, page, page_size, total}. The queries behind it are in db/paging.ts: a page costs two
// statements whatever its size, one count and one select with LIMIT and OFFSET.

export { fetchPage, mapPage, parseSort, type Page, type PageRequest } from '../db/paging.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Query properties for paging; spread them into a route's query schema. */
export const PageParams = {
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1, description: 'Page number, from 1.' }),
  page_size: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: 'Items per page.' }),
};

/** Builds the response schema of one page of `item`. */
export function pageOf<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    page: Type.Integer(),
    page_size: Type.Integer(),
    total: Type.Integer({ description: 'Number of items on all pages.' }),
  });
}

/**
 * Builds a `sort` query property that accepts each field ascending and, as `-field`, descending.
 * Fields outside the list are rejected by validation, so a sort value never reaches SQL as text.
 */
export function sortParam<const F extends string>(fields: readonly F[], defaultSort: F | `-${F}`) {
  const values = fields.flatMap((field) => [field, `-${field}`]) as (F | `-${F}`)[];
  return Type.Optional(Type.Enum(values, { default: defaultSort, description: `Sort field; prefix with - for descending. Default ${defaultSort}.` }));
}

