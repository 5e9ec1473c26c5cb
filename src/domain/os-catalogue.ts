/**
 * Operating systems the portal offers in its VM form. Keys are the Glance `os_distro` values
 * that images should carry for these systems, and image choice compares them case-insensitively.
 */

export interface OsCatalogueEntry {
  /** Glance `os_distro` value, lower case. */
  key: string;
  labels: { 'zh-CN': string; 'en-US': string };
}

export const OS_CATALOGUE = [
  { key: 'centos', labels: { 'zh-CN': 'CentOS', 'en-US': 'CentOS' } },
  { key: 'rocky', labels: { 'zh-CN': 'Rocky Linux', 'en-US': 'Rocky Linux' } },
  { key: 'ubuntu', labels: { 'zh-CN': 'Ubuntu', 'en-US': 'Ubuntu' } },
  { key: 'openeuler', labels: { 'zh-CN': 'openEuler 欧拉', 'en-US': 'openEuler' } },
  { key: 'kylin', labels: { 'zh-CN': '银河麒麟', 'en-US': 'Kylin' } },
  { key: 'uos', labels: { 'zh-CN': '统信 UOS', 'en-US': 'UnionTech OS (UOS)' } },
  { key: 'windows', labels: { 'zh-CN': 'Windows Server', 'en-US': 'Windows Server' } },
] as const satisfies readonly OsCatalogueEntry[];

export type KnownOsDistro = (typeof OS_CATALOGUE)[number]['key'];

export function findOsCatalogueEntry(distro: string): OsCatalogueEntry | undefined {
  const key = distro.trim().toLowerCase();
  return OS_CATALOGUE.find((entry) => entry.key === key);
}
