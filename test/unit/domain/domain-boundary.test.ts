import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import * as domain from '../../../src/domain/index.ts';
import { compareCodeUnits } from '../../../src/domain/text-order.ts';

const DOMAIN_DIR = fileURLToPath(new URL('../../../src/domain/', import.meta.url));
const IMPORT_PATTERN = /^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm;

describe('domain boundary', () => {
  const files = readdirSync(DOMAIN_DIR).filter((name) => name.endsWith('.ts'));

  it.each(files)('%s imports only domain files and node built-ins', (name) => {
    const source = readFileSync(`${DOMAIN_DIR}${name}`, 'utf8');
    const specifiers = [...source.matchAll(IMPORT_PATTERN)].map((match) => match[1] ?? '');

    const outside = specifiers.filter((specifier) => !/^\.\/[a-z-]+\.ts$/.test(specifier) && !specifier.startsWith('node:'));

    expect(outside).toEqual([]);
  });

  it('index exports the main functions', () => {
    for (const name of [
      'mapNovaServerState',
      'decideVmAction',
      'evaluateActionProgress',
      'chooseFlavor',
      'chooseImage',
      'chooseNetwork',
      'parseServerAddresses',
      'checkCapacity',
      'localDayBounds',
      'computeDayUsage',
      'diffResourceSpec',
      'maskPhone',
      'checkVmName',
    ]) {
      expect(typeof (domain as Record<string, unknown>)[name]).toBe('function');
    }
  });
});

describe('compareCodeUnits', () => {
  it('orders by code unit, not locale', () => {
    expect(['b', 'B', 'a', 'é'].sort(compareCodeUnits)).toEqual(['B', 'a', 'b', 'é']);
    expect(compareCodeUnits('x', 'x')).toBe(0);
  });
});
