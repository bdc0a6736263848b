// Zyra over HTTP against the sandbox: every operation from JavaScript with typed results, keys and
// logins (refreshed after a 401, the password never shown), lazy walks over more than 500 devices,
// the PDF as bytes, the documented errors as ZkitError subclasses, and the per-user rate limits
// (the JavaScript twin of core/tests/zyra.rs). Each test starts from a reset sandbox, so budgets
// (5 creates, 30 reads, 30 writes a minute per user) start afresh; creates are spread across users.

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { inspect } from 'node:util';

import * as zkit from 'zkit';

import { Sandbox, contractOperations, rejectsWith } from './support.mjs';

const ORG = 'org_sandbox';
const OPERATIONS = new Map(contractOperations('zyra').map((op) => [op.operationId.replace(/_(\w)/g, (_, c) => c.toUpperCase()), op.operationId]));

let sandbox;
let described;
let credentials;
/** The operations the suite called, by method name: the last test wants all of them. */
const reached = new Set();

/** `client` with its operation methods counted in `reached`. */
function tracked(client) {
  return new Proxy(client, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== 'function') return value;
      if (OPERATIONS.has(name)) reached.add(name);
      return value.bind(target);
    },
  });
}

/** A Zyra client on the sandbox: Ada's key (an org_admin) unless `options` says otherwise. */
const client = (options = {}) =>
  tracked(new zkit.Zyra({ apiKey: credentials.admin_key, baseUrl: described.base_url, jitterSeed: 7, ...options }));
const member = () => client({ apiKey: credentials.member_key });
const login = (options = {}) =>
  client({ apiKey: undefined, email: credentials.admin_email, password: credentials.admin_password, ...options });

/** The journal's paths under the API's base path, with their statuses. */
const seen = async () => (await sandbox.journal()).map((e) => [e.path.replace('/zyra/api/v1', ''), e.status]);

before(async () => {
  sandbox = await Sandbox.start();
  described = (await sandbox.control('GET', '')).apis.zyra;
  credentials = described.credentials;
});
after(() => sandbox.stop());
beforeEach(() => sandbox.reset());

test('the organization, its members and settings: typed results from the envelope', async () => {
  const ada = client();
  const organization = await ada.getOrganization({ id: ORG });
  assert.deepEqual([organization.id, typeof organization.name], [ORG, 'string']);
  const withMeta = await ada.withResponse.getOrganization({ id: ORG });
  assert.ok(withMeta.requestId.startsWith('req_') && withMeta.status === 200, withMeta.requestId);
  assert.match(withMeta.timestamp, /^20\d\d-\d\d-\d\dT.*Z$/, 'the envelope\'s timestamp');
  // The body's request id is the one the docs tell users to log: it wins over the header's.
  const data = { id: ORG, name: 'Sandbox' };
  await sandbox.fault({ status: 200, body: { success: true, data, meta: { request_id: 'req_from_the_body', timestamp: '2026-12-07T10:00:00Z' } } });
  const faked = await ada.withResponse.getOrganization({ id: ORG });
  assert.deepEqual([faked.requestId, faked.timestamp], ['req_from_the_body', '2026-12-07T10:00:00Z']);
  assert.notEqual(faked.headers['x-request-id'], 'req_from_the_body');
  assert.ok((await sandbox.journal()).at(-1).headers.authorization.startsWith('Bearer zyra'), 'a key goes as a Bearer token');
  assert.equal((await ada.listOrganizations()).items[0].id, ORG);
  const sdk = await ada.getSdkInfo();
  assert.equal(sdk.api_version, 'v1');
  assert.ok(sdk.sdks.length > 0);

  const settings = await ada.getOrganizationSettings({ organization_id: ORG });
  assert.equal(typeof settings.require_sso, 'boolean');
  const changed = await ada.updateOrganizationSettings({
    organization_id: ORG,
    session_timeout_minutes: 30,
    allowed_email_domains: ['Zyra.test'],
  });
  assert.deepEqual([changed.session_timeout_minutes, changed.allowed_email_domains], [30, ['zyra.test']]);

  const members = await ada.listMembers({ organization_id: ORG });
  assert.equal(members.total, 3);
  assert.deepEqual(members.items.map((m) => m.email).sort(), [credentials.admin_email, 'max@zyra.test', 'ops@zyra.test']);
  const invited = await ada.inviteMember({ organization_id: ORG, email: 'new@zyra.test', role: 'member' });
  assert.deepEqual([invited.status, invited.role, invited.joined_at], ['invited', 'member', null]);
  const promoted = await ada.updateMemberRole({ organization_id: ORG, user_id: invited.user_id, role: 'org_admin' });
  assert.equal(promoted.role, 'org_admin');
  assert.equal(await ada.removeMember({ organization_id: ORG, user_id: invited.user_id }), undefined);
  assert.equal((await ada.listMembers({ organization_id: ORG })).total, 3);
  await rejectsWith(ada.getOrganization({ id: 'org_other' }), zkit.NotFoundError, { status: 404, code: 'not_found' });
});

test('devices: registered pending, approved once, removed; the status filter', async () => {
  const ada = client();
  const pending = await ada.listDevices({ status: 'pending' });
  assert.ok(pending.items.length > 0 && pending.items.every((d) => d.status === 'pending'), JSON.stringify(pending));
  const device = await ada.registerDevice({ name: 'rack-9', gpu_model: 'A100', gpu_count: 8, region: 'eu-west' });
  assert.deepEqual([device.status, device.gpu_count], ['pending', 8]);
  assert.equal((await ada.getDevice({ id: device.id })).name, 'rack-9');
  const approved = await ada.approveDevice({ id: device.id });
  assert.ok(approved.status === 'approved' && typeof approved.approved_at === 'string');
  await rejectsWith(ada.approveDevice({ id: device.id }), zkit.ConflictError, { status: 409 });
  await rejectsWith(member().approveDevice({ id: device.id }), zkit.PermissionDeniedError, { code: 'insufficient_role' });
  assert.equal(await ada.removeDevice({ id: device.id }), undefined);
  await rejectsWith(ada.getDevice({ id: device.id }), zkit.NotFoundError, { status: 404 });
});

test('virtual servers follow their states', async () => {
  const ada = client();
  const server = await ada.createVirtualServer({ name: 'trainer', size: 'gpu.small', region: 'eu-west' });
  assert.deepEqual([server.status, server.image], ['running', null]);
  assert.ok((await ada.listVirtualServers()).items.some((s) => s.id === server.id));
  assert.equal((await ada.getVirtualServer({ id: server.id })).size, 'gpu.small');
  assert.equal((await ada.stopVirtualServer({ id: server.id })).status, 'stopped');
  assert.equal((await ada.resizeVirtualServer({ id: server.id, size: 'gpu.large' })).size, 'gpu.large');
  assert.equal((await ada.startVirtualServer({ id: server.id })).status, 'running');
  await rejectsWith(ada.resizeVirtualServer({ id: server.id, size: 'gpu.xlarge' }), zkit.ConflictError, { code: 'invalid_state' });
  assert.equal((await ada.terminateVirtualServer({ id: server.id })).status, 'terminated');
  await rejectsWith(ada.startVirtualServer({ id: server.id }), zkit.ConflictError, { status: 409, code: 'invalid_state' });
});

test('ML jobs, fine-tuning and inference, on the sandbox clock (as a member)', async () => {
  const max = member();
  const job = await max.createMlJob({ name: 'bert', model: 'bert-base' });
  assert.deepEqual([job.status, job.gpu_count], ['queued', 1]);
  const tuning = await max.createFineTuningJob({ base_model: 'llama-3', training_file: 'file_1', suffix: 'support' });
  assert.equal((await max.cancelFineTuningJob({ id: tuning.id })).status, 'cancelled');
  const inference = await max.createInference({ model: 'echo', input: 'hello brave world' });
  assert.deepEqual([inference.status, inference.output], ['completed', '[echo] world brave hello']);
  assert.equal(inference.usage.input_tokens, 3);

  await sandbox.advanceClock(61);
  assert.equal((await max.getMlJob({ id: job.id })).status, 'succeeded');
  await rejectsWith(max.cancelMlJob({ id: job.id }), zkit.ConflictError, { code: 'invalid_state' });
  assert.deepEqual((await max.listMlJobs()).items.map((j) => j.id), [job.id]);
  assert.equal((await max.getFineTuningJob({ id: tuning.id })).status, 'cancelled');
  assert.deepEqual((await max.listFineTuningJobs()).items.map((j) => j.id), [tuning.id]);
  assert.equal((await max.getInference({ id: inference.id })).input, 'hello brave world');
  assert.equal((await max.listInferences()).total, 1);
});

test('webhooks, SLA rules and breaches, fleet alerts', async () => {
  const ada = client();
  const hook = await ada.createWebhookEndpoint({ url: 'https://hooks.example.com/zyra', events: ['job.succeeded'] });
  assert.ok(hook.secret.startsWith('whsec_') && hook.enabled === true);
  assert.equal((await ada.getWebhookEndpoint({ id: hook.id })).secret ?? null, null, 'the secret is in the create answer only');
  assert.equal((await ada.updateWebhookEndpoint({ id: hook.id, enabled: false })).enabled, false);
  assert.deepEqual((await ada.listWebhookEndpoints()).items.map((h) => h.id), [hook.id]);
  assert.equal(await ada.deleteWebhookEndpoint({ id: hook.id }), undefined);
  await rejectsWith(ada.createWebhookEndpoint({ url: 'http://example.com', events: ['x'] }), zkit.InvalidInputError, { field: 'url' });

  const rule = await ada.createSlaAlertRule({ name: 'p95', metric: 'latency_p95_ms', threshold: 250, window_minutes: 5 });
  assert.deepEqual([rule.metric, rule.threshold], ['latency_p95_ms', 250]);
  assert.equal((await ada.updateSlaAlertRule({ id: rule.id, threshold: 300 })).threshold, 300);
  assert.ok((await ada.listSlaAlertRules()).items.some((r) => r.id === rule.id));
  assert.equal(await ada.deleteSlaAlertRule({ id: rule.id }), undefined);
  const breaches = await ada.listSlaBreaches();
  assert.ok(breaches.total > 0 && breaches.items.every((b) => typeof b.value === 'number'));
  const open = await ada.listFleetAlerts({ status: 'open' });
  assert.ok(open.items.length > 0 && open.items.every((a) => a.status === 'open'));
});

test('invoices: typed, the PDF as bytes; a member is refused with 403 insufficient_role', async () => {
  const ada = client();
  const invoices = await ada.listInvoices();
  const invoice = await ada.getInvoice({ id: invoices.items[0].id });
  assert.equal(invoice.number, invoices.items[0].number);
  const pdf = await ada.downloadInvoicePdf({ id: invoice.id });
  assert.ok(pdf.content instanceof Uint8Array, `${pdf.content?.constructor?.name}`);
  assert.equal(new TextDecoder().decode(pdf.content.subarray(0, 5)), '%PDF-');
  assert.equal(pdf.content_type, 'application/pdf'); // results keep the API's field names
  const withMeta = await ada.withResponse.downloadInvoicePdf({ id: invoice.id });
  assert.ok(withMeta.data.content instanceof Uint8Array && withMeta.data.content.length === pdf.content.length);
  const json = await ada.callJson('download_invoice_pdf', { id: invoice.id });
  assert.ok(json.data.content instanceof Uint8Array, 'callJson hands out bytes as bytes, never as JSON numbers');
  assert.equal(json.data.content.length, pdf.content.length);

  await assert.rejects(member().listInvoices(), (error) => {
    assert.ok(error instanceof zkit.PermissionDeniedError);
    assert.deepEqual([error.status, error.code], [403, 'insufficient_role']);
    assert.ok(error.requestId.startsWith('req_'));
    return true;
  });
});

test('keys: shown once, listed by prefix, the 11th refused, revoked at once', async () => {
  const ops = client({ apiKey: credentials.ops_key });
  const created = await ops.createApiKey({ name: 'ci-deploy' });
  assert.ok(created.key.startsWith('zyra_sk_'));
  assert.equal(created.prefix, created.key.slice(0, 18));
  const listed = [];
  for await (const key of ops.iterApiKeys()) listed.push(key);
  assert.equal((await ops.listApiKeys({ limit: 5 })).items.length, 5);
  assert.ok(listed.some((key) => key.id === created.id && key.prefix === created.prefix && key.is_active));
  assert.ok(!JSON.stringify(listed).includes(created.key), 'lists never hold a key');

  await rejectsWith(ops.createApiKey({ name: 'one-too-many' }), zkit.ConflictError, { status: 409, code: 'key_limit_reached' });

  const fresh = client({ apiKey: created.key });
  assert.ok(!String(fresh).includes(created.key) && !inspect(fresh).includes(created.key), String(fresh));
  await fresh.getOrganization({ id: ORG });
  const revoked = await ops.revokeApiKey({ id: created.id });
  assert.equal(revoked.is_active, false);
  await rejectsWith(fresh.getOrganization({ id: ORG }), zkit.AuthenticationError, { status: 401, code: 'key_revoked' });
  await rejectsWith(client({ apiKey: 'zyra_sk_notakey0000000000000000000000' }).getOrganization({ id: ORG }), zkit.AuthenticationError, {
    code: 'invalid_api_key',
  });
});

test('for await walks every device, 200 a page: one request a page, lazily', async () => {
  const ada = client();
  const walk = ada.iterDevices({ limit: 200 });
  assert.ok(walk instanceof zkit.Pages);
  assert.deepEqual(await sandbox.journal(), [], 'nothing is fetched before the walk starts');
  const ids = [];
  for await (const device of walk) {
    assert.equal(typeof device.id, 'string');
    ids.push(device.id);
  }
  assert.ok(ids.length >= 520, `${ids.length}`);
  assert.equal(new Set(ids).size, ids.length, 'no device twice');
  const requests = await seen();
  assert.deepEqual(requests, [['/devices', 200], ['/devices', 200], ['/devices', 200]]);
  const asked = (await sandbox.journal()).map((e) => Object.fromEntries(new URLSearchParams(e.query ?? '')));
  assert.deepEqual(asked, [0, 200, 400].map((offset) => ({ limit: '200', offset: String(offset) })));

  // The pages, typed; each walk starts afresh.
  const pages = [];
  for await (const page of walk.pages()) pages.push([page.offset, page.limit, page.items.length, page.total]);
  assert.deepEqual(pages, [[0, 200, 200, ids.length], [200, 200, 200, ids.length], [400, 200, ids.length - 400, ids.length]]);

  // Leaving a walk early fetches no further.
  await sandbox.reset();
  for await (const device of ada.iterDevices({ status: 'pending' })) {
    assert.equal(device.status, 'pending');
    break;
  }
  assert.equal((await sandbox.journal()).length, 1);
});

test('a page cap stops a walk with items left; an aborted walk sends nothing', async () => {
  const ada = client();
  const seenIds = [];
  await assert.rejects(
    (async () => {
      for await (const device of ada.iterDevices({ limit: 100 }, { maxPages: 2 })) seenIds.push(device.id);
    })(),
    (error) => {
      assert.ok(error instanceof zkit.DecodeError, `${error}`);
      assert.match(error.message, /after 2 pages/);
      return true;
    },
  );
  assert.equal(seenIds.length, 200, 'the items of the pages within the cap came first');
  assert.equal((await sandbox.journal()).length, 2);

  await sandbox.reset();
  const aborted = ada.iterDevices({}, { signal: AbortSignal.abort() }).pages().next();
  await assert.rejects(aborted, (error) => error.name === 'AbortError');
  assert.deepEqual(await sandbox.journal(), []);
});

test('bad input is refused before sending, naming its field', async () => {
  const ada = client();
  await rejectsWith(ada.listDevices({ limit: 201 }), zkit.InvalidInputError, { field: 'limit' });
  await rejectsWith(ada.iterDevices({ limit: 201 }).pages().next(), zkit.InvalidInputError, { field: 'limit' });
  await rejectsWith(ada.iterDevices({ colour: 'red' }).pages().next(), zkit.InvalidInputError, { field: 'colour' });
  await rejectsWith(ada.iterDevices({}, { maxPages: 0 }).pages().next(), zkit.InvalidInputError, { field: 'maxPages' });
  await assert.rejects(ada.iterDevices({}, { pages: 2 }).pages().next(), TypeError);
  await rejectsWith(ada.registerDevice({ name: 'x', gpu_model: 'A100', gpu_count: 0, region: 'eu' }), zkit.InvalidInputError, {
    field: 'gpu_count',
  });
  await rejectsWith(ada.inviteMember({ organization_id: ORG, email: 'nobody', role: 'member' }), zkit.InvalidInputError, {
    field: 'email',
  });
  assert.deepEqual(await sandbox.journal(), []);
  assert.throws(() => new zkit.Pages(), TypeError, 'walks come from the iter methods');
});

test('a login client logs in on its first call, and refreshes once after a 401', async () => {
  const zyra = login();
  for (const text of [String(zyra), inspect(zyra)]) {
    assert.ok(text.includes(credentials.admin_email) && !text.includes(credentials.admin_password), text);
  }
  await zyra.getOrganization({ id: ORG });
  await zyra.getOrganization({ id: ORG });
  assert.deepEqual(await seen(), [['/auth/login', 200], [`/organizations/${ORG}`, 200], [`/organizations/${ORG}`, 200]]);
  assert.ok(!JSON.stringify(await sandbox.journal()).includes(credentials.admin_password));

  // Past the token's 900 s: the call meets a 401, the client refreshes and sends it again.
  await sandbox.reset();
  await sandbox.advanceClock(901);
  await zyra.getOrganization({ id: ORG });
  assert.deepEqual(await seen(), [[`/organizations/${ORG}`, 401], ['/auth/refresh', 200], [`/organizations/${ORG}`, 200]]);

  // The auth routes as operations.
  const session = await zyra.login({ email: credentials.admin_email, password: credentials.admin_password });
  assert.deepEqual([session.token_type, session.expires_in, session.user.role], ['bearer', 900, 'org_admin']);
  const renewed = await zyra.refreshToken({ refresh_token: session.refresh_token });
  assert.ok(renewed.access_token !== session.access_token);

  const wrong = login({ password: 'not-the-password' });
  await assert.rejects(wrong.getOrganization({ id: ORG }), (error) => {
    assert.ok(error instanceof zkit.AuthenticationError);
    assert.equal(error.code, 'invalid_credentials');
    assert.ok(!inspect(error).includes('not-the-password') && !String(error).includes('not-the-password'), inspect(error));
    return true;
  });
});

test('login settings: checked by name, read from the environment in Node', () => {
  const check = (options, field) =>
    assert.throws(() => login(options), (error) => {
      assert.ok(error instanceof zkit.InvalidInputError && error.field === field, `${error}`);
      assert.ok(!error.message.includes(credentials.admin_password), error.message);
      return true;
    });
  check({ password: undefined }, 'password');
  check({ email: undefined }, 'email');
  check({ apiKey: credentials.admin_key }, 'apiKey');
  assert.throws(() => new zkit.Zerokie({ apiKey: 'k', email: 'a@b.c' }), TypeError, 'only APIs with a login take one');

  const saved = ['ZYRA_API_KEY', 'ZYRA_EMAIL', 'ZYRA_PASSWORD'].map((name) => [name, process.env[name]]);
  try {
    delete process.env.ZYRA_API_KEY;
    process.env.ZYRA_EMAIL = credentials.admin_email;
    process.env.ZYRA_PASSWORD = credentials.admin_password;
    const fromEnv = new zkit.Zyra({ baseUrl: described.base_url });
    assert.match(String(fromEnv), /email="ada@zyra\.test"/);
    process.env.ZYRA_API_KEY = credentials.member_key;
    assert.match(String(new zkit.Zyra({ baseUrl: described.base_url })), /apiKey="zyra…/, 'a key comes first');
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

test('password reset through the outbox, and SSO discovery', async () => {
  const zyra = client();
  assert.deepEqual(await zyra.requestPasswordReset({ email: credentials.admin_email }), { sent: true });
  const { password_resets: mails } = await sandbox.control('GET', 'zyra/outbox');
  assert.equal(mails.length, 1);
  await rejectsWith(zyra.confirmPasswordReset({ token: mails[0].token, new_password: 'short' }), zkit.InvalidInputError, {
    field: 'new_password',
  });
  assert.deepEqual(await zyra.confirmPasswordReset({ token: mails[0].token, new_password: 'a-brand-new-password' }), { reset: true });
  await login({ password: 'a-brand-new-password' }).getOrganization({ id: ORG });
  await rejectsWith(zyra.confirmPasswordReset({ token: mails[0].token, new_password: 'another-new-password' }), zkit.BadRequestError, {
    status: 400,
    code: 'invalid_reset_token',
  });

  const sso = await zyra.getSsoUrl({ email: credentials.admin_email });
  assert.deepEqual([sso.url, sso.organization_id, sso.provider], [`https://sso.zyra.test/saml/${ORG}`, ORG, 'saml']);
});

test('5 creates a minute: the server\'s 429 carries Retry-After', async () => {
  const hook = (n) => ({ url: `https://hooks.example.com/${n}`, events: ['job.succeeded'] });
  const unpaced = client({ rateLimit: false, maxRetries: 0 });
  for (let n = 0; n < 5; n++) await unpaced.createWebhookEndpoint(hook(n));
  await assert.rejects(unpaced.createWebhookEndpoint(hook(5)), (error) => {
    assert.ok(error instanceof zkit.RateLimitError, `${error}`);
    assert.deepEqual([error.status, error.code], [429, 'rate_limited']);
    assert.ok(error.retryAfter > 0 && error.retryAfter <= 60, `${error.retryAfter}`);
    return true;
  });
});

/** Expects `call` to be refused by the client's limiter, unsent: its slot opens after the deadline. */
async function heldByTheLimiter(call) {
  await assert.rejects(call, (error) => {
    assert.ok(error instanceof zkit.RateLimitError, `${error}`);
    assert.ok(error.status == null && error.retryAfter > 50, `${error.status} ${error.retryAfter}`);
    return true;
  });
}

test('the limiter holds the 31st read of a minute instead of meeting a 429', async () => {
  const paced = client({ maxRetries: 0 });
  for (let n = 0; n < 30; n++) await paced.getOrganization({ id: ORG });
  await paced.listDevices({ limit: 1 }); // another endpoint has a budget of its own
  // The 31st would wait for the minute to pass; with a deadline of 2 s it is refused unsent.
  await heldByTheLimiter(paced.getOrganization({ id: ORG }, { deadlineMs: 2000 }));
  assert.deepEqual((await sandbox.journal()).map((e) => e.status), Array(31).fill(200));
});

test('a raised limit is a setting; an unknown name is refused', async () => {
  const raised = client({ maxRetries: 0, rateLimits: { read: 2 } });
  await raised.getOrganization({ id: ORG });
  await raised.getOrganization({ id: ORG });
  await heldByTheLimiter(raised.getOrganization({ id: ORG }, { deadlineMs: 2000 }));
  assert.throws(() => client({ rateLimits: { reads: 300 } }), (error) => {
    assert.ok(error instanceof zkit.InvalidInputError, `${error}`);
    assert.equal(error.field, 'rateLimits');
    assert.match(error.message, /read, create, write, high_volume/);
    return true;
  });
});

test('every Zyra operation was reached from JavaScript', () => {
  const missing = [...OPERATIONS.keys()].filter((method) => !reached.has(method));
  assert.deepEqual(missing, []);
});
