// zkit in a page: deploys a small static site on the sandbox's Zerokie API and shows each step, then
// walks the sandbox's Zyra fleet and fetches an invoice's PDF. Query parameters: `sandbox` (the
// sandbox's URL, default http://127.0.0.1:4010), `key` and `zyraKey` (default: the sandbox's
// well-known Zerokie and Zyra keys).

import { InvalidInputError, NotFoundError, Zerokie, Zyra } from 'zkit';

const params = new URLSearchParams(location.search);
const sandbox = params.get('sandbox') ?? 'http://127.0.0.1:4010';
const apiKey = params.get('key') ?? 'zrk_sandbox_0c0ffee0c0ffee0c0ffee0c0ffee';
const zyraKey = params.get('zyraKey') ?? 'zyra_sk_sandboxada0c0ffee0c0ffee0c0ffee0';
const SITE = 'browser-site';

const steps = document.querySelector('#steps');
const status = document.querySelector('#status');
document.querySelector('#sandbox').textContent = sandbox;

/** Runs one step and lists what it found; a failure stops the run. */
async function step(title, action) {
  const item = document.createElement('li');
  item.textContent = `${title}…`;
  steps.append(item);
  try {
    const found = await action();
    item.className = 'ok';
    item.textContent = `${title}: ${found}`;
  } catch (error) {
    item.className = 'failed';
    item.textContent = `${title}: ${error}`;
    throw error;
  }
}

function check(condition, what) {
  if (!condition) throw new Error(`unexpected: ${what}`);
}

async function main() {
  const zerokie = new Zerokie({ apiKey, baseUrl: `${sandbox}/zerokie` });
  const pages = {
    'index.html': new TextEncoder().encode('<!doctype html><title>Hello</title><h1>Hello from a browser</h1>'),
    'assets/site.css': 'h1 { color: teal }',
  };

  await step('client', async () => {
    const text = String(zerokie);
    check(!text.includes(apiKey), 'the key shows');
    return text;
  });
  await step('create a static app', async () => {
    await zerokie.deleteApp({ name: SITE }).catch((error) => {
      if (!(error instanceof NotFoundError)) throw error;
    });
    const site = await zerokie.createApp({ name: SITE, type: 'static' });
    return `${site.name} (${site.type}), ${site.status}`;
  });
  await step('deploy the site in one call', async () => {
    const events = [];
    const done = await zerokie.deploySite(SITE, pages, { onProgress: (event) => events.push(event.event) });
    check(done.files_uploaded === 2 && done.cache_purged === true, 'two files uploaded, cache purged');
    check(events[0] === 'planned' && events.at(-1) === 'done', 'progress from planned to done');
    return `deploy ${done.deploy_id}, ${done.files_uploaded} files, ${done.total_bytes} bytes, ${events.length} events`;
  });
  await step('deploy again', async () => {
    const again = await zerokie.deploySite(SITE, pages);
    check(again.files_uploaded === 0 && again.files_unchanged === 2, 'nothing uploaded');
    return `${again.files_uploaded} uploaded, ${again.files_unchanged} unchanged`;
  });
  await step('list the files', async () => {
    // The site's files, without the manifest the deploy keeps beside them.
    const files = (await zerokie.listFiles({ name: SITE })).filter((file) => file.path !== '.zkit-manifest.json');
    const table = document.querySelector('#files');
    for (const file of files) table.tBodies[0].insertRow().innerHTML = `<td>${file.path}</td><td>${file.length}</td>`;
    table.hidden = false;
    return files.map((file) => file.path).join(', ');
  });
  await step('response facts', async () => {
    const response = await zerokie.withResponse.getApp({ name: SITE });
    check(response.status === 200 && response.requestId, 'status and request id');
    return `status ${response.status}, request id ${response.requestId}`;
  });
  await step('three calls at once', async () => {
    const results = await Promise.all([zerokie.listApps(), zerokie.getApp({ name: SITE }), zerokie.listFiles({ name: SITE })]);
    return `${results.length} results`;
  });
  await step('refused before sending', async () => {
    const error = await zerokie.addDomain({ name: SITE, domain: 'example.com' }).then(() => null, (e) => e);
    check(error instanceof InvalidInputError && error.field === 'domain', 'InvalidInputError on domain');
    return `${error.name} on ${error.field}`;
  });
  await step('aborted', async () => {
    const error = await zerokie.listApps({ signal: AbortSignal.abort() }).then(() => null, (e) => e);
    check(error?.name === 'AbortError', 'an AbortError');
    return error.name;
  });
  await step('clean up', async () => {
    await zerokie.deleteApp({ name: SITE });
    const error = await zerokie.getApp({ name: SITE }).then(() => null, (e) => e);
    check(error instanceof NotFoundError && error.status === 404, 'NotFoundError 404');
    return `${error.name} (${error.status}): ${error.message}`;
  });

  const zyra = new Zyra({ apiKey: zyraKey, baseUrl: `${sandbox}/zyra/api/v1` });
  await step('walk the Zyra fleet', async () => {
    let devices = 0;
    let pages = 0;
    for await (const page of zyra.iterDevices({ limit: 200 }).pages()) {
      pages += 1;
      devices += page.items.length;
    }
    check(devices > 500, 'more than 500 devices');
    return `${devices} devices in ${pages} pages`;
  });
  await step('an invoice as PDF bytes', async () => {
    const [invoice] = (await zyra.listInvoices({ limit: 1 })).items;
    const pdf = await zyra.downloadInvoicePdf({ id: invoice.id });
    const head = new TextDecoder().decode(pdf.content.subarray(0, 5));
    check(pdf.content instanceof Uint8Array && head === '%PDF-', 'PDF bytes');
    return `${invoice.number}: ${head}, ${pdf.content.length} bytes`;
  });
}

main().then(
  () => {
    status.dataset.state = 'passed';
    status.textContent = `all ${steps.children.length} steps passed`;
  },
  (error) => {
    status.dataset.state = 'failed';
    status.textContent = `failed: ${error}`;
    console.error(error);
  },
);
