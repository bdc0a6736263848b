// The leak scan: with each API's key, calls (typed and raw) meet answers that echo the key back in every
// place a client reads (the error's message, code, details and request id, and the headers), at every
// status the taxonomy maps; everything the caller can see (String, inspect, JSON, each property of the
// errors, the clients' descriptions, what reached the console) and the sandbox's journal is searched for
// any key. Goal and assertion: none.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';

import * as zkit from 'zkit';

import { Sandbox } from './support.mjs';

const STATUSES = [400, 401, 402, 403, 404, 409, 429, 500, 502];
const WEB = '507f1f77bcf86cd799439011';

let sandbox;
before(async () => {
  sandbox = await Sandbox.start();
});
after(() => sandbox.stop());

/** Everything a caller can see of an error and its cause. */
function shown(error) {
  const own = Object.fromEntries(Object.getOwnPropertyNames(error).map((name) => [name, error[name]]));
  return [String(error), inspect(error, { showHidden: true, depth: 9 }), JSON.stringify(own), error.cause ? shown(error.cause) : ''].join('\n');
}

test('no key shows in errors, clients, the console or the journal', async () => {
  await sandbox.reset();
  const apis = (await sandbox.control('GET', '')).apis;
  const keys = {
    zerokie: apis.zerokie.api_key,
    zenifra: apis.zenifra.credentials.organization_key,
    zenovay: apis.zenovay.api_key,
    zyra: apis.zyra.credentials.admin_key,
  };
  const settings = { rateLimit: false, maxRetries: 1 };
  const clients = {
    zerokie: new zkit.Zerokie({ apiKey: keys.zerokie, baseUrl: apis.zerokie.base_url, ...settings }),
    zenifra: new zkit.Zenifra({ apiKey: keys.zenifra, organizationId: 'org_sandbox', baseUrl: apis.zenifra.base_url, ...settings }),
    zenovay: new zkit.Zenovay({ apiKey: keys.zenovay, baseUrl: apis.zenovay.base_url, ...settings }),
    zyra: new zkit.Zyra({ apiKey: keys.zyra, baseUrl: apis.zyra.base_url, ...settings }),
  };
  const calls = [
    () => clients.zerokie.listApps(),
    () => clients.zenifra.getProject({ id: WEB }),
    () => clients.zenovay.listWebsites(),
    () => clients.zyra.listDevices({ limit: 5 }),
    () => clients.zyra.raw('GET', '/devices'),
  ];
  const printed = [];
  const saved = { log: console.log, warn: console.warn, error: console.error, debug: console.debug, info: console.info };
  for (const name of Object.keys(saved)) console[name] = (...args) => printed.push(args.map((a) => inspect(a)).join(' '));
  const seen = Object.values(clients).flatMap((client) => [String(client), inspect(client, { showHidden: true, depth: 9 })]);
  try {
    for (const call of calls) {
      for (const status of STATUSES) {
        await sandbox.control('DELETE', 'faults');
        await sandbox.fault({ status, times: 3, retry_after: '0', echo_credentials: true });
        const error = await call().then(
          () => assert.fail(`a ${status} was expected`),
          (error) => error,
        );
        assert.ok(error instanceof zkit.ZkitError, `${error}`);
        assert.equal(error.status, status);
        seen.push(shown(error));
      }
    }
  } finally {
    Object.assign(console, saved);
    for (const client of Object.values(clients)) client.close();
  }
  const text = [...seen, ...printed].join('\n');
  const journal = JSON.stringify(await sandbox.journal());
  assert.ok(text.includes('you sent'), 'the answers carried the keys: the scan is not vacuous');
  for (const [api, key] of Object.entries(keys)) {
    assert.equal(text.split(key).length - 1, 0, `the ${api} key shows in what the caller sees`);
    assert.equal(journal.split(key).length - 1, 0, `the ${api} key shows in the journal`);
  }
});
