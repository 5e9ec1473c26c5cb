// Runs every bench/*.bench.ts one after another, each in its own process so one benchmark's heap
// and event loop do not skew the next. Extra arguments are passed to every benchmark.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const folder = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(folder).filter((name) => name.endsWith('.bench.ts')).sort();
const only = process.env.BENCH_ONLY;

let failed = 0;
for (const file of files) {
  if (only && !file.includes(only)) continue;
  console.log(`\n=== ${file}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', `${folder}${file}`, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (run.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
