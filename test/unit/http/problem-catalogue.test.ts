import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { negotiateLocale } from '../../../src/errors/locale.ts';
import { fillTemplate, PROBLEMS } from '../../../src/errors/problem-catalogue.ts';

describe('problem catalogue', () => {
  const documented = new Map(
    [...readFileSync(new URL('../../../docs/api-errors.md', import.meta.url), 'utf8').matchAll(/^\| `([A-Z_]+)` \| (\d+) \|/gm)].map((match) => [match[1], Number(match[2])]),
  );

  it('documents every code with its status', () => {
    const catalogued = new Map(Object.entries(PROBLEMS).map(([code, definition]) => [code, definition.status]));
    expect(documented).toEqual(catalogued);
  });

  it.each(Object.entries(PROBLEMS))('%s has text in both languages with matching placeholders', (_code, definition) => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

    expect(definition.title['zh-CN']).not.toBe('');
    expect(definition.title['en-US']).not.toBe('');
    expect(placeholders(definition.detail['zh-CN'])).toEqual(placeholders(definition.detail['en-US']));
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(fillTemplate('{resource} {id} was not found.', { resource: 'VM', id: 'x' })).toBe('VM x was not found.');
    expect(fillTemplate('try in {seconds} s', {})).toBe('try in {seconds} s');
  });
});

describe('locale negotiation', () => {
  it.each([
    [undefined, 'zh-CN'],
    ['', 'zh-CN'],
    ['en-US,en;q=0.9', 'en-US'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['en;q=0.5,zh;q=0.9', 'zh-CN'],
    ['fr-FR,en;q=0.3', 'en-US'],
    ['fr-FR', 'zh-CN'],
    ['en;q=0', 'zh-CN'],
  ])('maps %j to %s', (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected);
  });
});
