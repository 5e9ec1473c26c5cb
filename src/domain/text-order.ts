/**
 * Compares two strings by UTF-16 code units. Domain choices sort with this instead of
 * `localeCompare`, so the same input gives the same choice on every host locale.
 */
export function compareCodeUnits(left: string, right: string): number {
  if (left < right) {
    return -1;
  }
  return left > right ? 1 : 0;
}
