import { describe, expect, it } from 'vitest';

import type { ImageInfo } from '../../../src/domain/image-choice.ts';
import {
  chooseImage,
  findImageRejection,
  tokeniseImageName,
  validateImageChoice,
  versionMatches,
} from '../../../src/domain/image-choice.ts';
import { findOsCatalogueEntry, OS_CATALOGUE } from '../../../src/domain/os-catalogue.ts';

function image(id: string, extra: Partial<ImageInfo> = {}): ImageInfo {
  return {
    id,
    name: id,
    status: 'active',
    visibility: 'public',
    osHidden: false,
    minDiskGiB: 0,
    minRamMiB: 0,
    createdAt: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

describe('chooseImage', () => {
  it('matches os_distro and os_version', () => {
    const images = [
      image('ubuntu', { osDistro: 'ubuntu', osVersion: '22.04' }),
      image('centos', { osDistro: 'centos', osVersion: '7.9' }),
    ];

    expect(chooseImage(images, { distro: 'centos', version: '7.9' })).toEqual({
      ok: true,
      image: images[1],
      matchedBy: 'properties',
    });
  });

  it('ignores case of distro and version', () => {
    const images = [image('kylin', { osDistro: 'Kylin', osVersion: 'V10' })];

    const result = chooseImage(images, { distro: 'KYLIN', version: 'v10' });

    expect(result).toMatchObject({ ok: true, image: { id: 'kylin' } });
  });

  it('matches version prefix at a dot', () => {
    const images = [image('centos-79', { osDistro: 'centos', osVersion: '7.9' })];

    const result = chooseImage(images, { distro: 'centos', version: '7' });

    expect(result).toMatchObject({ ok: true, image: { id: 'centos-79' } });
  });

  it('does not match 7 against 70', () => {
    const images = [image('weird', { osDistro: 'centos', osVersion: '70' })];

    expect(chooseImage(images, { distro: 'centos', version: '7' }).ok).toBe(false);
  });

  it('does not match longer requested version', () => {
    const images = [image('centos-7', { osDistro: 'centos', osVersion: '7' })];

    expect(chooseImage(images, { distro: 'centos', version: '7.9' }).ok).toBe(false);
  });

  it('matches any version when none requested', () => {
    const images = [image('rocky-9', { osDistro: 'rocky', osVersion: '9.3' })];

    const result = chooseImage(images, { distro: 'rocky' });

    expect(result).toMatchObject({ ok: true, image: { id: 'rocky-9' } });
  });

  it('falls back to name tokens', () => {
    const images = [image('img-1', { name: 'CentOS-7.9-x86_64' })];

    expect(chooseImage(images, { distro: 'centos', version: '7.9' })).toEqual({
      ok: true,
      image: images[0],
      matchedBy: 'name',
    });
  });

  it('prefers properties over a newer name match', () => {
    const images = [
      image('by-name', { name: 'CentOS-7.9-x86_64', createdAt: '2026-06-01T00:00:00Z' }),
      image('by-props', { name: 'base-image', osDistro: 'centos', osVersion: '7.9', createdAt: '2025-01-01T00:00:00Z' }),
    ];

    const result = chooseImage(images, { distro: 'centos', version: '7.9' });

    expect(result).toMatchObject({ ok: true, image: { id: 'by-props' } });
  });

  it('skips name match when properties name another distro', () => {
    const images = [image('mislabelled', { name: 'CentOS-7.9-x86_64', osDistro: 'rocky' })];

    expect(chooseImage(images, { distro: 'centos', version: '7.9' }).ok).toBe(false);
  });

  it('skips name match when properties name another version', () => {
    const images = [image('old', { name: 'CentOS-7.9-x86_64', osDistro: 'centos', osVersion: '7.6' })];

    expect(chooseImage(images, { distro: 'centos', version: '7.9' }).ok).toBe(false);
  });

  it('uses name version when properties omit it', () => {
    const images = [image('partial', { name: 'CentOS-7.9-x86_64', osDistro: 'centos' })];

    const result = chooseImage(images, { distro: 'centos', version: '7.9' });

    expect(result).toMatchObject({ ok: true, matchedBy: 'name' });
  });

  it('never matches a name substring', () => {
    const images = [image('img', { name: 'mycentos7.9' }), image('img2', { name: 'centos79' })];

    expect(chooseImage(images, { distro: 'centos', version: '7.9' }).ok).toBe(false);
  });

  it('chooses the newest match', () => {
    const images = [
      image('old', { osDistro: 'ubuntu', osVersion: '22.04', createdAt: '2025-03-01T00:00:00Z' }),
      image('new', { osDistro: 'ubuntu', osVersion: '22.04.4', createdAt: '2026-03-01T00:00:00Z' }),
      image('mid', { osDistro: 'ubuntu', osVersion: '22.04.2', createdAt: '2025-09-01T00:00:00Z' }),
    ];

    const result = chooseImage(images, { distro: 'ubuntu', version: '22.04' });

    expect(result).toMatchObject({ ok: true, image: { id: 'new' } });
  });

  it('prefers a public image over a newer private snapshot', () => {
    const images = [
      image('snapshot', { osDistro: 'rocky', osVersion: '9', visibility: 'private', createdAt: '2026-06-01T00:00:00Z' }),
      image('shared', { osDistro: 'rocky', osVersion: '9', visibility: 'shared', createdAt: '2026-05-01T00:00:00Z' }),
      image('base', { osDistro: 'rocky', osVersion: '9', visibility: 'public', createdAt: '2025-01-01T00:00:00Z' }),
    ];

    expect(chooseImage(images, { distro: 'rocky', version: '9' })).toMatchObject({ ok: true, image: { id: 'base' } });
    expect(chooseImage(images.slice(0, 2), { distro: 'rocky', version: '9' })).toMatchObject({ ok: true, image: { id: 'shared' } });
    expect(chooseImage(images.slice(0, 1), { distro: 'rocky', version: '9' })).toMatchObject({ ok: true, image: { id: 'snapshot' } });
  });

  it('breaks created_at ties by name', () => {
    const images = [
      image('b', { osDistro: 'ubuntu', createdAt: '2026-01-01T00:00:00Z' }),
      image('a', { osDistro: 'ubuntu', createdAt: '2026-01-01T00:00:00Z' }),
    ];

    const result = chooseImage(images, { distro: 'ubuntu' });

    expect(result).toMatchObject({ ok: true, image: { id: 'a' } });
  });

  it('sorts unparseable created_at last', () => {
    const images = [
      image('broken', { osDistro: 'ubuntu', createdAt: 'not a date' }),
      image('dated', { osDistro: 'ubuntu', createdAt: '2020-01-01T00:00:00Z' }),
    ];

    const result = chooseImage(images, { distro: 'ubuntu' });

    expect(result).toMatchObject({ ok: true, image: { id: 'dated' } });
  });

  it.each(['queued', 'saving', 'killed', 'deleted', 'deactivated', 'ACTIVE'])('skips image with status %s', (status) => {
    const images = [image('img', { osDistro: 'ubuntu', status })];

    expect(chooseImage(images, { distro: 'ubuntu' }).ok).toBe(false);
  });

  it('skips hidden images', () => {
    const images = [
      image('hidden-new', { osDistro: 'ubuntu', osHidden: true, createdAt: '2026-06-01T00:00:00Z' }),
      image('visible-old', { osDistro: 'ubuntu', createdAt: '2025-01-01T00:00:00Z' }),
    ];

    const result = chooseImage(images, { distro: 'ubuntu' });

    expect(result).toMatchObject({ ok: true, image: { id: 'visible-old' } });
  });

  it.each(['', '   '])('rejects empty distro %j', (distro) => {
    const images = [image('any', { osDistro: 'ubuntu' })];

    expect(chooseImage(images, { distro })).toEqual({ ok: false, code: 'OS_REQUEST_EMPTY', details: { distro } });
  });

  it('reports what did not match', () => {
    expect(chooseImage([], { distro: 'CentOS', version: ' 7.9 ' })).toEqual({
      ok: false,
      code: 'NO_IMAGE_MATCHES',
      details: { distro: 'centos', version: '7.9' },
    });
  });
});

describe('validateImageChoice', () => {
  const images = [
    image('ok', { name: 'Ubuntu-22.04', osDistro: 'ubuntu', osVersion: '22.04' }),
    image('queued', { status: 'queued' }),
    image('hidden', { osHidden: true }),
    image('named', { name: 'CentOS-7.9-x86_64' }),
  ];

  it('accepts an active image', () => {
    expect(validateImageChoice(images, 'ok')).toEqual({ ok: true, image: images[0], matchedBy: 'id' });
  });

  it('rejects an unknown id', () => {
    expect(validateImageChoice(images, 'nope')).toEqual({
      ok: false,
      code: 'IMAGE_NOT_FOUND',
      details: { imageId: 'nope' },
    });
  });

  it('rejects a queued image', () => {
    expect(validateImageChoice(images, 'queued')).toEqual({
      ok: false,
      code: 'IMAGE_NOT_USABLE',
      details: { imageId: 'queued', imageName: 'queued', reason: 'not_active', status: 'queued' },
    });
  });

  it('rejects a hidden image', () => {
    expect(validateImageChoice(images, 'hidden')).toMatchObject({ ok: false, details: { reason: 'hidden' } });
  });

  it('accepts an OS match by properties', () => {
    expect(validateImageChoice(images, 'ok', { distro: 'ubuntu', version: '22' })).toMatchObject({
      ok: true,
      matchedBy: 'properties',
    });
  });

  it('rejects an OS mismatch', () => {
    expect(validateImageChoice(images, 'ok', { distro: 'centos' })).toMatchObject({
      ok: false,
      code: 'IMAGE_NOT_USABLE',
      details: { reason: 'os_mismatch' },
    });
  });

  it('accepts an OS match by name', () => {
    expect(validateImageChoice(images, 'named', { distro: 'centos', version: '7' })).toMatchObject({
      ok: true,
      matchedBy: 'name',
    });
  });

  it('skips OS check for empty request', () => {
    expect(validateImageChoice(images, 'named', { distro: '' })).toMatchObject({ ok: true, matchedBy: 'id' });
  });
});

describe('image helpers', () => {
  it('tokenises image names', () => {
    expect(tokeniseImageName('CentOS-7.9-x86_64')).toEqual(['centos', '7.9', 'x86', '64']);
    expect(tokeniseImageName('openEuler 22.03 LTS (SP3)')).toEqual(['openeuler', '22.03', 'lts', 'sp3']);
  });

  it.each([
    ['7.9', '7', true],
    ['7.9', '7.9', true],
    ['7.9.2009', '7.9', true],
    ['70', '7', false],
    ['7', '7.9', false],
    ['V10', 'v10', true],
  ])('version %s against %s gives %s', (actual, requested, expected) => {
    expect(versionMatches(actual, requested)).toBe(expected);
  });

  it('finds image rejection', () => {
    expect(findImageRejection(image('a'))).toBeNull();
    expect(findImageRejection(image('b', { status: 'queued', osHidden: true }))).toBe('not_active');
    expect(findImageRejection(image('c', { osHidden: true }))).toBe('hidden');
  });
});

describe('OS_CATALOGUE', () => {
  it('lists the offered distros', () => {
    const keys = OS_CATALOGUE.map((entry) => entry.key);

    expect(keys).toEqual(['centos', 'rocky', 'ubuntu', 'openeuler', 'kylin', 'uos', 'windows']);
  });

  it('has both labels for every entry', () => {
    for (const entry of OS_CATALOGUE) {
      expect(entry.labels['zh-CN']).not.toBe('');
      expect(entry.labels['en-US']).not.toBe('');
    }
  });

  it('finds entries ignoring case', () => {
    expect(findOsCatalogueEntry(' Kylin ')?.labels['zh-CN']).toBe('银河麒麟');
    expect(findOsCatalogueEntry('debian')).toBeUndefined();
  });
});
