// Measures the simulator at scale over real HTTP on 127.0.0.1: load 50,000 servers, then time
// full 1000-server pages (first, deep marker, non-detail), a changes-since query and a single GET.
// Run: npx tsx bench/sim-page.bench.ts [servers] [rounds]
import { performance } from 'node:perf_hooks';
import { startSimulator } from '../src/sim/index.ts';

const count = Number(process.argv[2] ?? 50_000);
const rounds = Number(process.argv[3] ?? 20);

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return `median ${pick(0.5).toFixed(1)} ms, p95 ${pick(0.95).toFixed(1)} ms, min ${sorted[0]?.toFixed(1)} ms`;
}

async function time(label: string, url: string, token: string, expectCount?: number, headers: Record<string, string> = {}): Promise<void> {
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers: { ...headers, 'x-auth-token': token } });
    const text = await response.text();
    samples.push(performance.now() - started);
    bytes = text.length;
    if (response.status !== 200) throw new Error(`${label}: HTTP ${response.status} ${text.slice(0, 200)}`);
    if (expectCount !== undefined) {
      const got = (JSON.parse(text) as { servers: unknown[] }).servers.length;
      if (got !== expectCount) throw new Error(`${label}: expected ${expectCount} servers, got ${got}`);
    }
  }
  console.log(`${label.padEnd(44)} ${summary(samples)} (${(bytes / 1024).toFixed(0)} KiB)`);
}

const sim = await startSimulator({ seed: 'bench' });
try {
  const heapBefore = process.memoryUsage().heapUsed;
  const loadStarted = performance.now();
  const servers = sim.admin.loadServers(count, 'demo');
  const loadMs = performance.now() - loadStarted;
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  console.log(`node ${process.version}, ${count} servers (with ports) loaded in ${loadMs.toFixed(0)} ms, heap +${((heapAfter - heapBefore) / 1048576).toFixed(0)} MiB`);

  const login = await fetch(`${sim.authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'demo', domain: { name: 'Default' }, password: 'demo-sim-pass' } } },
        scope: { project: { name: 'demo', domain: { name: 'Default' } } },
      },
    }),
  });
  const token = login.headers.get('x-subject-token') ?? '';
  const compute = `${sim.url}/compute/v2.1`;
  const deepMarker = servers[Math.floor(count / 2)]?.id ?? '';

  await time('GET /servers/detail (first 1000)', `${compute}/servers/detail`, token, Math.min(1000, count));
  await time('GET /servers/detail?marker=<middle> (1000)', `${compute}/servers/detail?marker=${deepMarker}`, token, Math.min(1000, Math.floor(count / 2)));
  await time('GET /servers/detail at 2.93 (1000)', `${compute}/servers/detail?limit=1000`, token, Math.min(1000, count), { 'OpenStack-API-Version': 'compute 2.93' });
  await time('GET /servers (ids and names, 1000)', `${compute}/servers`, token, Math.min(1000, count));
  await time('GET /servers/detail?status=ERROR (1000)', `${compute}/servers/detail?status=ERROR`, token);
  await time('GET /servers/detail?changes-since=<now-60s>', `${compute}/servers/detail?changes-since=${new Date(Date.now() - 60_000).toISOString()}`, token);
  await time('GET /servers/{id}', `${compute}/servers/${deepMarker}`, token);
} finally {
  await sim.stop();
}
