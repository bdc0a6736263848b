// Zenifra over HTTP against the sandbox: every operation typed, both credential kinds and how each is
// sent, the organization header, the documented errors as ZkitError subclasses, and the per-project
// rate limit (the JavaScript twin of bindings-python/tests/test_zenifra.py).

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import * as zkit from 'zkit';

import { Sandbox, rejectsWith, untilRefused } from './support.mjs';

const WEB = '507f1f77bcf86cd799439011';
const WORKER = '507f191e810c19729de860ea';

let sandbox;
let described;
let zenifra;

/** A Zenifra client on the sandbox: the organization key unless `options` says otherwise. */
const client = (options = {}) =>
  new zkit.Zenifra({ apiKey: described.credentials.organization_key, baseUrl: described.base_url, jitterSeed: 7, ...options });

const lastHeaders = async () => (await sandbox.journal()).at(-1).headers;

before(async () => {
  sandbox = await Sandbox.start();
  described = (await sandbox.control('GET', '')).apis.zenifra;
});
after(() => sandbox.stop());
beforeEach(async () => {
  await sandbox.reset();
  zenifra = client({ organizationId: described.credentials.organization_id });
});

test('a project from settings to deploys, metrics and storage', async () => {
  const project = await zenifra.getProject({ id: WEB });
  assert.deepEqual([project.name, project.state, project.plan, project.type], ['web', 'running', 'starter', 'http']);
  const page = await zenifra.listProjects({ type: 'http', page: 1, limit: 15 });
  assert.deepEqual(page.data.map((p) => p.id), [WEB]);
  assert.deepEqual((await zenifra.listProjects()).data.map((p) => p.id), [WEB, WORKER], 'the filter is optional');

  assert.equal((await zenifra.updateProjectName({ id: WEB, name: 'storefront' })).name, 'storefront');
  assert.equal((await zenifra.updateProjectDescription({ id: WEB, description: 'The shop' })).description, 'The shop');
  assert.equal((await zenifra.updateDomain({ id: WEB, domain: 'shop.example.com' })).domain, 'shop.example.com');
  const envs = await zenifra.updateEnvs({ id: WEB, envs: { FEATURE_X: 'on' }, unset: ['LOG_LEVEL'] });
  assert.equal(envs.envs.FEATURE_X, 'on');
  assert.ok(!('LOG_LEVEL' in envs.envs));
  assert.deepEqual((await zenifra.getEnvs({ id: WEB })).envs, envs.envs);

  const deployment = await zenifra.updateImage({ id: WEB, image: 'registry.zenifra.dev/web:2.0.0' });
  assert.deepEqual([deployment.status, deployment.image], ['building', 'registry.zenifra.dev/web:2.0.0']);
  await sandbox.advanceClock(60);
  const history = await zenifra.listDeployments({ id: WEB });
  assert.deepEqual([history[0].id, history[0].status, history[1].status], [deployment.id, 'live', 'superseded']);
  assert.equal((await zenifra.deployBranch({ id: WEB, branch: 'main' })).branch, 'main');

  assert.equal((await zenifra.getMetrics({ id: WEB, period: '24h' })).period, '24h');
  const requests = await zenifra.getNetworkRequests({ id: WEB, period: '24h' });
  assert.equal(requests.series.reduce((sum, point) => sum + point.count, 0), requests.total);
  const codes = await zenifra.getNetworkStatusCodes({ id: WEB, period: '24h' });
  assert.equal(codes.codes.reduce((sum, code) => sum + code.count, 0), requests.total);
  const latency = await zenifra.getNetworkLatency({ id: WEB });
  assert.ok(latency.p50_ms <= latency.p90_ms && latency.p90_ms <= latency.p99_ms);
  const paths = (await zenifra.getNetworkTopPaths({ id: WEB })).paths;
  assert.ok(paths.every((path, i) => i === 0 || paths[i - 1].requests >= path.requests));
  assert.equal((await zenifra.getLogs({ id: WEB, limit: 5 })).length, 5);

  const scaled = await zenifra.updateInstances({ id: WEB, count: 3 });
  assert.deepEqual([scaled.count, scaled.max], [3, 3]);
  await rejectsWith(zenifra.updateInstances({ id: WEB, count: 4 }), zkit.PaymentRequiredError, { status: 402, code: 'plan_limit' });
  assert.equal((await zenifra.changePlan({ id: WEB, plan: 'pro' })).plan, 'pro');
  assert.equal((await zenifra.updateInstances({ id: WEB, count: 4 })).count, 4);
  assert.equal((await zenifra.getInstances({ id: WEB })).count, 4);
  assert.equal((await zenifra.updateStorageSize({ id: WEB, size_gb: 50 })).size_gb, 50);
  assert.equal((await zenifra.getStorageUsage({ id: WEB })).size_gb, 50);

  await sandbox.advanceClock(60); // the branch deploy goes live
  assert.equal((await zenifra.stopProject({ id: WEB })).state, 'stopped');
  await rejectsWith(zenifra.stopProject({ id: WEB }), zkit.ConflictError, { status: 409, code: 'invalid_state' });
  assert.equal((await zenifra.resumeProject({ id: WEB })).state, 'running');
});

test('organization keys go as Bearer with x-organization-id; project keys in x-api-key', async () => {
  await zenifra.getProject({ id: WEB });
  let headers = await lastHeaders();
  assert.ok(headers.authorization.startsWith('Bearer znf_') && !('x-api-key' in headers), JSON.stringify(headers));
  assert.equal(headers['x-organization-id'], described.credentials.organization_id);
  assert.ok(!String(zenifra).includes(described.credentials.organization_key));

  await client({ authHeader: 'x-api-key' }).getProject({ id: WEB });
  headers = await lastHeaders();
  assert.ok(headers['x-api-key'].startsWith('znf_') && !('authorization' in headers));

  const projectKey = client({ apiKey: described.credentials.project_key });
  assert.equal((await projectKey.getProject({ id: WEB })).name, 'web');
  assert.ok((await lastHeaders())['x-api-key'].startsWith('zpk_'));
  await rejectsWith(projectKey.getProject({ id: WORKER }), zkit.PermissionDeniedError, { status: 403 });
});

test('the documented errors are typed', async () => {
  await rejectsWith(client({ apiKey: 'znf_not_a_sandbox_key_000000' }).getProject({ id: WEB }), zkit.AuthenticationError, { status: 401 });
  const reader = client({ apiKey: described.credentials.read_only_key });
  await reader.getProject({ id: WEB });
  await rejectsWith(reader.stopProject({ id: WEB }), zkit.PermissionDeniedError, { code: 'insufficient_permissions' });
  await rejectsWith(client({ organizationId: 'org_other' }).getProject({ id: WEB }), zkit.PermissionDeniedError);
  await rejectsWith(client({ apiKey: described.credentials.allowlisted_key }).getProject({ id: WEB }), zkit.PermissionDeniedError);
  await rejectsWith(zenifra.getProject({ id: '000000000000000000000000' }), zkit.NotFoundError, { status: 404 });
});

test('bad input and settings are refused before sending', async () => {
  assert.throws(() => client({ region: 'eu' }), TypeError, 'unknown settings are refused by name');
  assert.throws(() => client({ authHeader: 'cookie' }), (error) => error instanceof zkit.InvalidInputError && error.field === 'authHeader');
  const refusals = [
    ['count', () => zenifra.updateInstances({ id: WEB, count: 0 })],
    ['limit', () => zenifra.listProjects({ limit: 101 })],
    ['envs', () => zenifra.updateEnvs({ id: WEB, envs: { 'A=B': '1' } })],
    ['period', () => zenifra.getMetrics({ id: WEB, period: '2h' })],
    ['branch', () => zenifra.deployBranch({ id: WEB, branch: 'a..b' })],
    ['id', () => zenifra.getProject({ id: '' })],
  ];
  for (const [field, call] of refusals) await rejectsWith(call(), zkit.InvalidInputError, { field });
  assert.deepEqual(await sandbox.journal(), []);
});

test('100 requests a minute per project: the server 429', async () => {
  const unpaced = client({ rateLimit: false, maxRetries: 0 });
  const error = await untilRefused(() => unpaced.getInstances({ id: WEB }), { budget: 100, refillMs: 600 });
  assert.ok(error instanceof zkit.RateLimitError, `${error}`);
  assert.ok(error.status === 429 && error.retryAfter > 0, `${error.retryAfter}`);
  await unpaced.getInstances({ id: WORKER }); // another project has its own budget
});

test('the limiter holds the 101st request of a minute instead of meeting a 429', async () => {
  const paced = client({ maxRetries: 0 });
  for (let i = 0; i < 100; i++) await paced.getInstances({ id: WEB });
  // The 101st would wait for the minute to pass; with a deadline of 2 s it is refused unsent.
  await assert.rejects(paced.getInstances({ id: WEB }, { deadlineMs: 2000 }), (error) => {
    assert.ok(error instanceof zkit.RateLimitError && error.status == null && error.retryAfter > 50, `${error}`);
    return true;
  });
  const statuses = (await sandbox.journal()).map((entry) => entry.status);
  assert.deepEqual(statuses, Array(100).fill(200), 'a paced client never meets a 429');
});
