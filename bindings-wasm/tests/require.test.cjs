// require('zkit') works from CommonJS, and gives the very objects import 'zkit' gives (one
// WebAssembly instance, one set of classes, so `instanceof` holds across both).

'use strict';

const assert = require('node:assert/strict');
const { after, before, test } = require('node:test');

const zkit = require('zkit');

const SANDBOX_KEY = 'zrk_sandbox_0c0ffee0c0ffee0c0ffee0c0ffee';

let sandbox;
before(async () => {
  const { Sandbox } = await import('./support.mjs');
  sandbox = await Sandbox.start();
});
after(() => sandbox.stop());

test('require gives the whole surface', () => {
  for (const name of ['Zerokie', 'ZkitClient', 'ZkitError', 'NotFoundError', 'InvalidInputError', 'RawResponse', 'newDeploySessionId']) {
    assert.equal(typeof zkit[name], 'function', name);
  }
  assert.ok(require.resolve('zkit').endsWith('index.cjs'));
});

test('require and import share one module', async () => {
  const imported = await import('zkit');
  for (const [name, value] of Object.entries(zkit)) assert.equal(imported[name], value, name);
  assert.deepEqual(Object.keys(imported).sort(), Object.keys(zkit).sort());
});

test('a call and an error through require', async () => {
  await sandbox.reset();
  const zerokie = new zkit.Zerokie({ apiKey: SANDBOX_KEY, baseUrl: sandbox.zerokieUrl });
  const app = await zerokie.createApp({ name: 'from-require', type: 'static' });
  assert.equal(app.name, 'from-require');
  const imported = await import('zkit');
  await assert.rejects(zerokie.getApp({ name: 'nowhere' }), (error) => error instanceof imported.NotFoundError && error.status === 404);
});
