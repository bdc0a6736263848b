// A chaos run of the npm package in Node: calls of mixed operations of all four APIs against a sandbox
// where a share of the requests meets a fault of every kind (500, 502, 503, 429 with and without
// Retry-After, a reset connection, a truncated or malformed body, a delay past the attempt timeout),
// then cheap calls without faults for the memory figure. The suite runs a short version
// (chaos.test.mjs); the full one prints its figures:
//
//   node bindings-wasm/tests/chaos_run.mjs --calls 10000 --concurrency 64 --cheap 100000

import { parseArgs } from 'node:util';

import * as zkit from 'zkit';

import { Sandbox } from './support.mjs';

const DEADLINE_MS = 10_000; // a call that takes longer (with slack for scheduling) is late
const ATTEMPT_TIMEOUT_MS = 800; // shorter than the delay fault, which then times attempts out
const DELAY_MS = 1_200;
const BATCH = 2_000; // calls between two reads of the journal, which keeps the last 10 000 requests
const WEB = '507f1f77bcf86cd799439011';

function clients(apis) {
  const settings = { rateLimit: false, timeoutMs: ATTEMPT_TIMEOUT_MS, deadlineMs: DEADLINE_MS, jitterSeed: 11 };
  return {
    zerokie: new zkit.Zerokie({ apiKey: apis.zerokie.api_key, baseUrl: apis.zerokie.base_url, ...settings }),
    zenifra: new zkit.Zenifra({
      apiKey: apis.zenifra.credentials.organization_key,
      organizationId: apis.zenifra.credentials.organization_id,
      baseUrl: apis.zenifra.base_url,
      ...settings,
    }),
    zenovay: new zkit.Zenovay({ apiKey: apis.zenovay.api_key, baseUrl: apis.zenovay.base_url, ...settings }),
    zyra: new zkit.Zyra({ apiKey: apis.zyra.credentials.admin_key, baseUrl: apis.zyra.base_url, ...settings }),
  };
}

/**
 * Call `n` of the mix: reads of every API, a create with its own name and a cancel of a job of its own
 * (non-idempotent; the sandbox answers the cancel 404), whose requests the journal tells apart.
 */
function call({ zerokie, zenifra, zenovay, zyra }, n) {
  const mix = [
    () => zerokie.listApps(),
    () => zerokie.createApp({ name: `chaos-${n}`, type: 'static' }),
    () => zenifra.getProject({ id: WEB }),
    () => zenifra.getEnvs({ id: WEB }),
    () => zenovay.listWebsites(),
    () => zenovay.getWebsite({ id: 'site_shop' }),
    () => zyra.listDevices({ limit: 5 }),
    () => zyra.getDevice({ id: 'dev_0001' }),
    () => zyra.cancelMlJob({ id: `mlj_chaos_${n}` }),
  ];
  return mix[n % mix.length]();
}

/**
 * Each call cancels a job of its own: a cancel path acted on twice is a request acted on twice. A request
 * a fault stopped was not acted on (retrying it after a 429 is safe); a delayed one was.
 */
function duplicated(journal) {
  const seen = new Map();
  for (const entry of journal) {
    const actedOn = entry.fault === null || entry.fault === 'delay';
    if (actedOn && entry.method === 'POST' && entry.path.includes('/ml/jobs/mlj_chaos_')) seen.set(entry.path, (seen.get(entry.path) ?? 0) + 1);
  }
  return [...seen.values()].filter((times) => times > 1).length;
}

/** Runs `work(n)` for n in first..first+count, `concurrency` at a time. */
async function workers(count, concurrency, work, first = 0) {
  let next = first;
  const worker = async () => {
    while (next < first + count) await work(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const rssKib = () => Math.round(process.memoryUsage().rss / 1024);

export async function run(sandbox, { calls, concurrency, faultRate, cheapCalls }) {
  await sandbox.control('POST', 'rate-window', { kind: 'off' });
  await sandbox.control('POST', 'chaos', { rate: faultRate, seed: 2026, delay_ms: DELAY_MS });
  const apis = (await sandbox.control('GET', '')).apis;
  const all = clients(apis);
  const figures = { calls: 0, successes: 0, typed: {}, untyped: [], duplicated: 0, late: 0, faultsMet: 0 };
  const one = async (n) => {
    const began = performance.now();
    try {
      await call(all, n);
      figures.successes++;
    } catch (error) {
      if (error instanceof zkit.ZkitError) figures.typed[error.kind] = (figures.typed[error.kind] ?? 0) + 1;
      else figures.untyped.push(String(error?.stack ?? error));
    }
    figures.calls++;
    if (performance.now() - began > DEADLINE_MS + 500) figures.late++;
  };
  const started = performance.now();
  for (let first = 0; first < calls; first += BATCH) {
    await sandbox.control('DELETE', 'journal');
    await workers(Math.min(BATCH, calls - first), concurrency, one, first);
    const journal = await sandbox.journal();
    figures.faultsMet += journal.filter((entry) => entry.fault !== null).length;
    figures.duplicated += duplicated(journal);
  }
  figures.elapsedS = (performance.now() - started) / 1000;
  await sandbox.control('POST', 'chaos', { rate: 0 });

  const cheap = () => all.zyra.getSdkInfo();
  const warmUp = Math.floor(cheapCalls / 10);
  await workers(warmUp, concurrency, cheap);
  globalThis.gc?.();
  figures.rssWarmKib = rssKib();
  await workers(cheapCalls - warmUp, concurrency, cheap);
  globalThis.gc?.();
  figures.rssAfterKib = rssKib();
  figures.cheapCalls = cheapCalls;
  for (const client of Object.values(all)) client.close();
  return figures;
}

export function table(figures, language) {
  const typed = Object.entries(figures.typed).sort();
  const rows = [
    ['calls', figures.calls],
    ['faults met (requests)', figures.faultsMet],
    ['successes', figures.successes],
    ['typed errors', `${typed.reduce((sum, [, n]) => sum + n, 0)} (${typed.map(([kind, n]) => `${kind} ${n}`).join(', ')})`],
    ['untyped errors or crashes (goal 0)', figures.untyped.length],
    ['non-idempotent requests acted on twice (goal 0)', figures.duplicated],
    ['calls past their deadline (goal 0)', figures.late],
    ['time', `${figures.elapsedS.toFixed(1)} s`],
    ['RSS after warm-up / after cheap calls', `${figures.rssWarmKib} / ${figures.rssAfterKib} KiB (${figures.cheapCalls} calls)`],
  ];
  return [`| ${language} | |`, '|---|---|', ...rows.map(([name, value]) => `| ${name} | ${value} |`)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { calls: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '64' }, cheap: { type: 'string', default: '100000' } },
  });
  const sandbox = await Sandbox.start();
  try {
    const figures = await run(sandbox, {
      calls: Number(values.calls),
      concurrency: Number(values.concurrency),
      faultRate: 0.1,
      cheapCalls: Number(values.cheap),
    });
    console.log(table(figures, 'Node'));
    for (const error of figures.untyped.slice(0, 5)) console.log('untyped:', error);
  } finally {
    await sandbox.stop();
  }
}
