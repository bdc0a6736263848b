// A program using zkit's typed surface, checked with `tsc --strict --noEmit` (scripts/test-npm), once
// as CommonJS resolves the package (index.d.ts) and once as ES modules do (index.d.mts).
//
// Every annotation below must hold as written, and each `// @ts-expect-error` marks a mistake tsc has
// to catch: an expectation that is not met is itself an error, so this file fails the check if the
// declarations stop catching typos in parameter names, option names, field names or types.

import {
  ApiResponse,
  App,
  CallOptions,
  ClientOptions,
  Logger,
  LogLevel,
  RedirectError,
  RequestInfo,
  ResponseInfo,
  ConflictError,
  Deploy,
  DeployEvent,
  DeployReport,
  DeployLock,
  Domain,
  ErrorKind,
  FileEntry,
  FinalizeDeployParams,
  FinalizedDeploy,
  InvalidInputError,
  NotFoundError,
  RateLimitError,
  RawResponse,
  RegistryAuthParams,
  ServerError,
  UpstreamError,
  Zenifra,
  ZenifraOptions,
  Zenovay,
  Project,
  AnalyticsSummary,
  PaymentRequiredError,
  Zerokie,
  ZkitClient,
  ZkitError,
  newDeploySessionId,
  Device,
  DevicePage,
  Download,
  Member,
  NewApiKey,
  PageOptions,
  Pages,
  Role,
  Zyra,
  ZyraOptions,
} from 'zkit';

async function deploySite(zerokie: Zerokie): Promise<FileEntry[]> {
  const site: App = await zerokie.createApp({ name: 'my-site', type: 'static' });
  const status: string = site.status;
  const url: string | null | undefined = site.url;
  const unnamed: unknown = site['zone']; // fields zkit does not name are reachable
  console.log(site.name, status, url, unnamed);

  const session: string = newDeploySessionId();
  const lock: DeployLock = await zerokie.acquireDeployLock({ name: site.name, deploy_session_id: session });
  const locked: boolean = lock.locked;
  console.log(locked);
  await zerokie.uploadFile({ name: 'my-site', path: 'index.html', content: new TextEncoder().encode('<h1>hi</h1>') }, { timeoutMs: 10_000 });
  await zerokie.uploadFile({ name: 'my-site', path: 'site.css', content: 'h1 {}' }, { maxRetries: 5 });
  const files = await zerokie.listFiles({ name: 'my-site' });
  const total = files.reduce((sum, entry) => sum + entry.length, 0);
  const modified: string = files[0].lastModified;
  console.log(modified);

  const params: FinalizeDeployParams = {
    name: 'my-site',
    deploy_session_id: session,
    files_uploaded: files.length,
    files_deleted: 0,
    total_bytes: total,
  };
  const done: FinalizedDeploy = await zerokie.finalizeDeploy(params, { deadlineMs: null });
  const uploaded: number = done.summary.files_uploaded;
  console.log(done.deploy_id, uploaded);
  return files;
}

/** The same in one call, and a wait for a container app. */
async function deployInOneCall(zerokie: Zerokie): Promise<DeployReport> {
  const events: DeployEvent[] = [];
  const report: DeployReport = await zerokie.deploySite('my-site', './dist', {
    ignore: ['*.map'],
    concurrency: 16,
    onProgress: (event) => {
      if (event.event === 'bytes_sent') console.log(event.path, event.total_sent);
      events.push(event);
    },
    signal: AbortSignal.timeout(600_000),
  });
  const uploaded: number = report.files_uploaded;
  const deployId: string | null = report.deploy_id;
  await zerokie.deploySite('my-site', { 'index.html': '<h1>hi</h1>', 'logo.png': { file: './logo.png' } }, { dryRun: true });
  await zerokie.deploySite('my-site', new Map([['a.txt', new Uint8Array([97])]]));
  const app: unknown = await zerokie.waitUntil('app_running', { name: 'web' }, { timeoutMs: 60_000 });
  const waiters: string[] = Object.keys(Zerokie.waiters());
  // @ts-expect-error: options are camelCase
  await zerokie.deploySite('my-site', './dist', { dry_run: true });
  // @ts-expect-error: a progress event has no `file` field
  events.map((event) => event.file);
  console.log(uploaded, deployId, app, waiters);
  return report;
}

async function containers(zerokie: Zerokie): Promise<void> {
  const auth: RegistryAuthParams = { username: 'deployer', password: 'token' };
  const app = await zerokie.createApp({ name: 'api', image: 'registry.example.com/api:v1', port: 8080, env: { MODE: 'prod' }, registry_auth: auth });
  const port: number | null | undefined = app.port;
  const deploy: Deploy = await zerokie.deployApp({ name: 'api', image: 'registry.example.com/api:v2' }, { idempotencyKey: 'v2' });
  const apps: App[] = await zerokie.listApps({ maxRetries: 0, rateLimit: false });
  console.log(port, deploy.status, apps.map((a) => a.name));
  const nothing: void = await zerokie.deleteApp({ name: 'api' });
  console.log(nothing);

  const raw: RawResponse = await zerokie.raw('GET', '/v1/apps', { query: { page: 1, all: true } });
  const body: unknown = raw.json();
  const bytes: Uint8Array = raw.body;
  const response: ApiResponse<unknown> = await zerokie.callJson('get_app', { name: 'my-site' });
  console.log(raw.status, body, bytes.length, response.attempts, response.requestId);

  const withMeta: ApiResponse<App> = await zerokie.withResponse.getApp({ name: 'my-site' });
  const requestId: string | null = withMeta.requestId;
  const deleted: ApiResponse<null> = await zerokie.withResponse.deleteFile({ name: 'my-site', path: 'x' });
  console.log(withMeta.data.name, withMeta.headers['content-type'], requestId, deleted.status);
}

async function handleErrors(zerokie: Zerokie): Promise<Domain | null> {
  try {
    return await zerokie.addDomain({ name: 'my-site', domain: 'www.example.com' });
  } catch (error) {
    if (error instanceof RateLimitError) {
      const wait: number | null = error.retryAfter;
      const kind: 'rate_limited' = error.kind;
      console.log('wait', wait, kind);
    } else if (error instanceof InvalidInputError) {
      const field: string | null = error.field;
      console.log('bad', field);
    } else if (error instanceof ServerError) {
      const kind: 'server' | 'upstream' = error.kind;
      console.log(kind, error instanceof UpstreamError);
    } else if (error instanceof ZkitError) {
      const status: number | null = error.status;
      const requestId: string | null = error.requestId;
      const retryable: boolean = error.retryable;
      const kind: ErrorKind = error.kind;
      const asError: Error = error;
      console.log(kind, status, error.code, error.message, requestId, retryable, error.details, asError.name);
    } else if (error instanceof Error && error.name === 'AbortError') {
      console.log('aborted');
    }
    return null;
  }
}

function observed(): Zerokie {
  const seen: ResponseInfo[] = [];
  const logger: Logger = { debug: (message) => console.debug(message), warn: (message, fields) => console.warn(message, fields.status) };
  const level: LogLevel = 'debug';
  const zerokie = new Zerokie({
    log: level,
    logBodies: true,
    logger,
    proxy: 'http://127.0.0.1:3128',
    caBundle: '/etc/ssl/corporate.pem',
    onRequest: (request: RequestInfo) => console.log(request.method, request.url, request.attempt, request.headers[0]?.[0]),
    onResponse: (response) => seen.push(response),
  });
  // @ts-expect-error: a level that does not exist
  new Zerokie({ log: 'verbose' });
  const redirect: RedirectError | null = null;
  console.log(seen.map((r) => [r.status, r.durationMs, r.requestId, r.error]), redirect);
  return zerokie;
}

async function manyAtOnce(): Promise<App[]> {
  const settings: ClientOptions = { timeoutMs: 30_000, maxRetries: 3, baseUrl: 'http://127.0.0.1:4010/zerokie' };
  const zerokie = new Zerokie(settings);
  const created = await Promise.all([0, 1, 2, 3].map((i) => zerokie.createApp({ name: `site-${i}`, type: 'static' })));
  const first: App = created[0];
  const controller = new AbortController();
  const options: CallOptions = { signal: controller.signal, timeoutMs: null };
  const domain: Domain = await zerokie.addDomain({ name: first.name, domain: 'www.example.org' }, options);
  const tls: string = domain.tls_status;
  console.log(tls);
  await zerokie.removeDomain({ name: first.name, domain: domain.domain });
  const other: Zerokie = zerokie.withOptions({ maxRetries: 0 });
  const base: ZkitClient = other;
  console.log(String(base), Object.keys(Zerokie.waiters()).length);
  other.close();
  return zerokie.listApps();
}

async function mistakesTscCatches(zerokie: Zerokie, app: App, error: NotFoundError, conflict: ConflictError): Promise<void> {
  // @ts-expect-error: a misspelt parameter
  await zerokie.createApp({ name: 'x', imgae: 'nginx' });
  // @ts-expect-error: a port is a number
  await zerokie.createApp({ name: 'x', port: '80' });
  // @ts-expect-error: getApp needs its parameters
  await zerokie.getApp();
  // @ts-expect-error: the name is required
  await zerokie.getApp({});
  // @ts-expect-error: a misspelt option
  await zerokie.listApps({ retries: 3 });
  // @ts-expect-error: listApps takes only options
  await zerokie.listApps({ name: 'x' });
  // @ts-expect-error: timeouts are milliseconds, as numbers
  await zerokie.getApp({ name: 'x' }, { timeoutMs: '5s' });
  // @ts-expect-error: a signal is an AbortSignal
  await zerokie.getApp({ name: 'x' }, { signal: 'stop' });
  // @ts-expect-error: file content is bytes or text
  await zerokie.uploadFile({ name: 'x', path: 'a.txt', content: 42 });
  // @ts-expect-error: an unnamed field is unknown, not a string
  const zone: string = app.zone;
  // @ts-expect-error: results are read-only
  app.name = 'other';
  // @ts-expect-error: lengths are numbers
  const length: string = (await zerokie.listFiles({ name: 'x' }))[0].length;
  // @ts-expect-error: an unknown setting
  new Zerokie({ apiKey: 'k', retries: 3 });
  // @ts-expect-error: the base class is abstract
  new ZkitClient();
  // @ts-expect-error: a NotFoundError's kind is not "conflict"
  const kind: 'conflict' = error.kind;
  // @ts-expect-error: deleteApp resolves to nothing
  const deleted: App = await zerokie.deleteApp({ name: 'x' });
  // @ts-expect-error: a misspelt method
  await zerokie.getApps({ name: 'x' });
  console.log(zone, length, kind, deleted, conflict.status);
}

/** Zenifra and Zenovay: their own settings, typed results, typed errors. */
async function otherApis(): Promise<void> {
  const options: ZenifraOptions = { organizationId: 'org_sandbox', authHeader: 'authorization' };
  const zenifra = new Zenifra(options);
  const project: Project = await zenifra.getProject({ id: '507f1f77bcf86cd799439011' });
  const instances: number = (await zenifra.getInstances({ id: project.id })).count;
  const page = await zenifra.listProjects({ type: 'http', limit: 15 });
  const names: string[] = page.data.map((p) => p.name);
  try {
    await zenifra.updateInstances({ id: project.id, count: instances + 1 });
  } catch (error) {
    if (error instanceof PaymentRequiredError) console.log(error.code);
  }
  const zenovay = new Zenovay({ authHeader: 'x-api-key' });
  const summary: AnalyticsSummary = await zenovay.getAnalytics({ id: 'site_shop', from: '2026-11-01' });
  const visitors: number = summary.visitors;
  // @ts-expect-error: organizationId is Zenifra's setting, not Zenovay's
  new Zenovay({ organizationId: 'org' });
  // @ts-expect-error: instance counts are numbers
  await zenifra.updateInstances({ id: project.id, count: 'three' });
  console.log(names, visitors);
}

/** Zyra: a login, lazy walks over typed pages and items, bytes. */
async function zyraFleet(): Promise<number> {
  const options: ZyraOptions = { email: 'ada@example.com', password: 'secret', baseUrl: 'http://127.0.0.1:4010/zyra/api/v1' };
  const zyra = new Zyra(options);
  const walkOptions: PageOptions = { maxPages: 10, signal: AbortSignal.timeout(60_000), maxRetries: 1 };
  const walk: Pages<DevicePage, Device> = zyra.iterDevices({ limit: 200, status: 'pending' }, walkOptions);
  let gpus = 0;
  for await (const device of walk) gpus += device.gpu_count ?? 0;
  for await (const page of walk.pages()) {
    const total: number = page.total;
    const first: Device | undefined = page.items[0];
    console.log(total, page.offset, first?.id);
  }
  for await (const member of zyra.iterMembers({ organization_id: 'org_sandbox' })) {
    const role: Role = member.role;
    const typed: Member = member;
    console.log(role, typed.email);
  }
  const pdf: Download = await zyra.downloadInvoicePdf({ id: 'inv_0001' });
  const bytes: Uint8Array = pdf.content;
  const type: string = pdf.content_type;
  const key: NewApiKey = await zyra.withOptions({ apiKey: 'zyra_sk_…', email: null, password: null }).createApiKey({ name: 'ci' });
  console.log(bytes.length, type, key.key.length);
  // @ts-expect-error: a limit is a number
  zyra.iterDevices({ limit: '200' });
  // @ts-expect-error: maxPages is an option, not a parameter
  zyra.iterDevices({ maxPages: 3 });
  // @ts-expect-error: iterMembers needs its organization
  zyra.iterMembers();
  // @ts-expect-error: a walk is iterated, not awaited into a list
  const devices: Device[] = await zyra.iterDevices();
  // @ts-expect-error: binary content is bytes, not an array of numbers
  const numbers: number[] = pdf.content;
  // @ts-expect-error: a login is Zyra's, not Zerokie's
  new Zerokie({ email: 'a@b.c', password: 'p' });
  // @ts-expect-error: operations that are not paged lists have no walk
  zyra.iterInvoicePdf({ id: 'inv_0001' });
  console.log(devices, numbers);
  return gpus;
}

export async function main(): Promise<void> {
  await otherApis();
  console.log(await zyraFleet());
  const zerokie = new Zerokie({ jitterSeed: 7 });
  await deploySite(zerokie);
  await deployInOneCall(zerokie);
  await containers(zerokie);
  await handleErrors(zerokie);
  console.log(await manyAtOnce(), observed());
  void mistakesTscCatches;
}
