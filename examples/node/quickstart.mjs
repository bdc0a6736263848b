// zkit quickstart for Node: put a static site on Zerokie, look at it, take it down; then scale a
// Zenifra project, read a Zenovay website's analytics and walk a Zyra fleet.
//
//   scripts/build-npm && npm install ./bindings-wasm/pkg     # or the published package: npm install zkit
//   cargo run -p zkit-sandbox                                # prints the <API>_BASE_URL and <API>_API_KEY lines
//   ZEROKIE_BASE_URL=... ZEROKIE_API_KEY=... node examples/node/quickstart.mjs
//
// Without <API>_BASE_URL it talks to the real APIs, with the keys in <API>_API_KEY. The Zenifra part runs
// when ZENIFRA_API_KEY is set (with ZENIFRA_PROJECT_ID, the project to work on), the Zenovay part when
// ZENOVAY_API_KEY is set, the Zyra part when ZYRA_API_KEY (or ZYRA_EMAIL and ZYRA_PASSWORD) is set.

import { InvalidInputError, NotFoundError, PaymentRequiredError, Zenifra, Zenovay, Zerokie, Zyra } from 'zkit';

const SITE = 'zkit-quickstart';

const PAGES = {
  'index.html': '<!doctype html><title>Hello</title><link rel=stylesheet href=assets/site.css><h1>Hello from zkit</h1>',
  'assets/site.css': 'h1 { font-family: sans-serif; color: teal }',
};

const zerokie = new Zerokie(); // the key and base URL come from the environment
console.log(`client: ${zerokie}`); // shows a preview of the key at most

const site = await zerokie.createApp({ name: SITE, type: 'static' });
console.log(`created ${site.name} (${site.type}), ${site.status}, served at ${site.url}`);

// One call deploys the site: it takes the deploy lock (and keeps it alive), uploads what is new or
// changed, deletes what is gone, and finalizes. A folder works too: deploySite(SITE, './dist').
const done = await zerokie.deploySite(SITE, PAGES, {
  onProgress: (event) => event.event === 'file_done' && console.log(`uploaded ${event.path} (${event.length} bytes)`),
});
console.log(`deploy ${done.deploy_id}: ${done.files_uploaded} files, ${done.total_bytes} bytes, cache purged: ${done.cache_purged}`);
const again = await zerokie.deploySite(SITE, PAGES);
console.log(`deployed again: ${again.files_uploaded} uploaded, ${again.files_unchanged} unchanged`);

console.log('files:');
for (const entry of await zerokie.listFiles({ name: SITE })) {
  console.log(`  ${entry.path.padEnd(20)} ${String(entry.length).padStart(5)} bytes  ${entry.lastModified}`);
}

// Calls run concurrently; each takes its own options (a signal, time limits, retries).
const [apps, fetched] = await Promise.all([
  zerokie.listApps(),
  zerokie.withResponse.getApp({ name: SITE }, { signal: AbortSignal.timeout(10_000), maxRetries: 1 }),
]);
console.log('apps:', apps.map((app) => `${app.name} (${app.status})`).join(', '));
console.log(`get_app: status ${fetched.status}, request ${fetched.requestId}, ${fetched.attempts} attempt(s)`);

try {
  await zerokie.addDomain({ name: SITE, domain: 'example.com' });
} catch (error) {
  if (!(error instanceof InvalidInputError)) throw error;
  console.log(`refused before sending: ${error}`);
}

await zerokie.deleteApp({ name: SITE });
try {
  await zerokie.getApp({ name: SITE });
} catch (error) {
  if (!(error instanceof NotFoundError)) throw error;
  console.log(`cleaned up: ${error.message} (status ${error.status}, request ${error.requestId})`);
}

if (process.env.ZENIFRA_API_KEY) {
  const id = process.env.ZENIFRA_PROJECT_ID ?? '507f1f77bcf86cd799439011'; // the sandbox's web project
  const zenifra = new Zenifra(); // ZENIFRA_API_KEY, ZENIFRA_ORGANIZATION_ID (sent as x-organization-id)
  const project = await zenifra.getProject({ id });
  console.log(`zenifra: ${project.name} is ${project.state} on the ${project.plan} plan`);
  const instances = await zenifra.getInstances({ id });
  try {
    await zenifra.updateInstances({ id, count: (instances.max ?? 1) + 1 });
  } catch (error) {
    if (!(error instanceof PaymentRequiredError)) throw error;
    console.log(`zenifra: the plan stops at ${instances.max} instances (${error.code})`);
  }
  const latency = await zenifra.getNetworkLatency({ id, period: '24h' });
  console.log(`zenifra: p50 ${latency.p50_ms.toFixed(0)} ms, p99 ${latency.p99_ms.toFixed(0)} ms over 24h`);
}

if (process.env.ZENOVAY_API_KEY) {
  const zenovay = new Zenovay(); // ZENOVAY_API_KEY, sent as X-API-Key
  for (const website of await zenovay.listWebsites()) {
    const summary = await zenovay.getAnalytics({ id: website.id });
    console.log(`zenovay: ${website.domain}: ${summary.visitors} visitors from ${summary.from} to ${summary.to}`);
  }
}

if (process.env.ZYRA_API_KEY || process.env.ZYRA_EMAIL) {
  const zyra = new Zyra(); // ZYRA_API_KEY, or ZYRA_EMAIL and ZYRA_PASSWORD (it logs in and refreshes itself)
  // A lazy walk: one request per 200 devices, each made when the page before is used up.
  const gpus = new Map();
  for await (const device of zyra.iterDevices({ limit: 200 })) {
    gpus.set(device.gpu_model, (gpus.get(device.gpu_model) ?? 0) + (device.gpu_count ?? 0));
  }
  console.log(`zyra: GPUs by model: ${[...gpus].map(([model, count]) => `${model} ${count}`).join(', ')}`);
  const [invoice] = (await zyra.listInvoices({ limit: 1 })).items;
  if (invoice) {
    const pdf = await zyra.downloadInvoicePdf({ id: invoice.id }); // content is a Uint8Array
    console.log(`zyra: invoice ${invoice.number}: ${pdf.content.length} bytes of ${pdf.content_type}`);
  }
}
