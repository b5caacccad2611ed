/**
 * The composition root: builds the stores, the HTTP client, the adapters and their gateways, the
 * schema and Apollo Server, and serves them over node:http. Wiring only; behaviour lives in the
 * modules it wires.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { Agent, type Dispatcher } from 'undici';
import { ConfigError, type AdapterDefinition } from '../adapters/contract.js';
import { BUNDLED_ADAPTERS } from '../adapters/index.js';
import { CacheCipher } from './cache/crypto.js';
import { RedisStore } from './cache/redis.js';
import { MemoryStore, type CacheStore } from './cache/store.js';
import type { HubConfig } from './config.js';
import { ChangeFeeds } from './departments/changes.js';
import { CacheKeys } from './departments/gateway.js';
import { Registry } from './departments/registry.js';
import { readFile } from 'node:fs/promises';
import { WorkingCalendar } from './cases/calendar.js';
import { importCatalogue, parseCatalogueText } from './cases/catalogue.js';
import { Catalogue } from './cases/catalogue-store.js';
import { OutboxWorker } from './cases/outbox.js';
import { CaseService } from './cases/service.js';
import { DatabaseUnavailableError, openDb, type Db } from './db/db.js';
import { migrate } from './db/migrations.js';
import { PUBLIC_CODES } from './errors.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AuditLog } from './audit/log.js';
import { auditPlugin } from './audit/plugin.js';
import { AuditSpool } from './audit/spool.js';
import { accessPlugin } from './auth/access.js';
import { limitsPlugin } from './auth/limits.js';
import { Authenticator } from './auth/authenticate.js';
import { DEV_ISSUER, DevIssuer, HUB_AUDIENCE } from './auth/dev-issuer.js';
import type { Principal } from './auth/principal.js';
import { HubKeys } from './remote/hub-keys.js';
import { RemoteRegistry } from './remote/registry-service.js';
import { buildContext, type Context } from './graphql/context.js';
import { databaseUnavailablePlugin, departmentFailuresPlugin } from './graphql/plugins.js';
import { buildHubSchema } from './graphql/schema.js';
import { createLogger, describeError, type Logger } from './log.js';
import { createHandler } from './http/routes.js';
import { HubMetrics } from './metrics.js';

/** The audit key: configured, or kept in a file made once (development), so hashes stay comparable across restarts. */
function auditSecret(config: HubConfig, log: Logger): string {
  if (config.audit.keySecret) return config.audit.keySecret;
  if (!existsSync(config.audit.keyFile)) {
    mkdirSync(dirname(config.audit.keyFile), { recursive: true });
    writeFileSync(config.audit.keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  log.warn(`AUDIT_KEY_SECRET is not set: the audit log's resident hashes use the key in ${config.audit.keyFile}`);
  return readFileSync(config.audit.keyFile, 'utf8').trim();
}

export interface HubDeps {
  cache?: CacheStore;
  /** The ledger's database; made from the configuration when absent (and then closed on stop). */
  db?: Db;
  dispatcher?: Dispatcher;
  adapters?: readonly AdapterDefinition<any>[];
  log?: Logger;
}

export interface Hub {
  url: string;
  graphqlUrl: string;
  registry: Registry;
  cache: CacheStore;
  changes: ChangeFeeds;
  apollo: ApolloServer<Context>;
  db: Db;
  cases: CaseService;
  outbox: OutboxWorker;
  remote: RemoteRegistry;
  keys: HubKeys;
  audit: AuditLog;
  /** Builds a context as an HTTP request would (for in-process tests with executeOperation). */
  context(principal: Principal, headers?: Record<string, string>): Context;
  /** The development issuer, when on (tests and `npm start` mint tokens with it). */
  devIssuer: DevIssuer | null;
  /**
   * Graceful stop: no new connections, new requests on open ones answered 503; requests in flight
   * and the outbox's calls in hand finish — within `deadlineMs`, after which connections are cut
   * and outbox rows released — then pools and stores close. Resolves false when the deadline cut anything short.
   */
  stop(options?: { deadlineMs?: number }): Promise<boolean>;
}

export async function startHub(config: HubConfig, deps: HubDeps = {}): Promise<Hub> {
  const log = deps.log ?? createLogger();
  // A shared ledger means replicas write one audit log: each would otherwise name residents with a
  // key of its own (a file on its own disk), and one person's records could not be found together.
  if (config.auth.production && config.databaseUrl && !config.audit.keySecret) {
    throw new ConfigError('AUDIT_KEY_SECRET is required with DATABASE_URL in production: every replica writing to the audit log must name residents with the same key');
  }
  // Authentication first: a hub that cannot tell who is asking does not start.
  let devIssuer: DevIssuer | null = null;
  let authenticator: Authenticator;
  if (config.auth.devIssuer) {
    if (config.auth.production && !config.auth.devIssuerAllowedInProduction) {
      throw new ConfigError('AUTH_DEV_ISSUER is set with NODE_ENV=production: refusing to start with the development token issuer (set AUTH_DEV_ISSUER_ALLOW_IN_PRODUCTION=true to override, and do not)');
    }
    if (config.auth.production) log.error('!!! THE DEVELOPMENT TOKEN ISSUER IS ON IN PRODUCTION (AUTH_DEV_ISSUER_ALLOW_IN_PRODUCTION=true): anyone with its key file can act as any role !!!');
    else log.warn('development token issuer on: tokens from data/dev-issuer-key.json are accepted (AUTH_DEV_ISSUER)');
    devIssuer = await DevIssuer.load(config.auth.devKeyFile);
    authenticator = new Authenticator(devIssuer.jwks(), DEV_ISSUER, HUB_AUDIENCE, ['ES256']);
  } else if (config.auth.jwksUrl || config.auth.jwksFile) {
    authenticator = Authenticator.fromConfig(config.auth);
  } else {
    throw new ConfigError('no authentication configured: set AUTH_JWKS_URL or AUTH_JWKS_FILE (with AUTH_ISSUER and AUTH_AUDIENCE), or AUTH_DEV_ISSUER=true for development');
  }

  let cache = deps.cache;
  if (!cache) {
    if (config.redisUrl) {
      if (!config.cache.encryptionKeys && !config.cache.allowPlaintext) {
        throw new ConfigError('REDIS_URL is set without CACHE_ENCRYPTION_KEYS: cached personal data must be encrypted at rest (see docs/ACCESS.md); CACHE_ALLOW_PLAINTEXT=true overrides for development');
      }
      if (!config.cache.encryptionKeys) log.error('!!! CACHE_ALLOW_PLAINTEXT: personal data is cached in Redis unencrypted — development only !!!');
      const redis = RedisStore.connect(config.redisUrl, config.cache.encryptionKeys ? new CacheCipher(config.cache.encryptionKeys) : null);
      redis.client.on('error', () => undefined); // reported by the gateways when a command fails
      await redis.ready().catch((err) => log.warn('Redis is not reachable yet; answering uncached until it is', describeError(err)));
      cache = redis;
    } else cache = new MemoryStore(config.cache.memoryMaxEntries);
  }
  if (config.cache.keySecretGenerated && cache.kind === 'redis') {
    log.warn('CACHE_KEY_SECRET is not set: cache keys are private to this process, so replicas will not share cache entries');
  }
  const ownDispatcher = !deps.dispatcher;
  const dispatcher = deps.dispatcher ?? new Agent({ connections: 64, keepAliveTimeout: 10_000, connectTimeout: config.departments.timeoutMs });

  const metrics = new HubMetrics();
  const registry = new Registry(cache, new CacheKeys(config.cache.keySecret, config.cache.keyPrefix), {
    cacheEnabled: config.cache.enabled,
    timeoutMs: config.departments.timeoutMs,
    rateLimitRetries: config.departments.rateLimitRetries,
    maxRetryAfterMs: config.departments.maxRetryAfterMs,
    negativeTtlSeconds: config.cache.negativeTtlSeconds,
    staleIfErrorSeconds: config.cache.staleIfErrorSeconds,
    maxTtlSeconds: config.cache.maxTtlSeconds,
    breakerFailures: config.departments.breakerFailures,
    readRetries: config.departments.readRetries,
    retryBaseMs: config.departments.retryBaseMs,
    breakerOpenMs: config.departments.breakerOpenMs,
    maxWaiting: config.departments.maxWaiting,
  }, log, config.departments.policies, metrics);
  registry.addDefinitions(deps.adapters ?? BUNDLED_ADAPTERS, config.adapterEnv, { dispatcher });
  for (const code of Object.keys(config.departments.policies)) {
    if (!registry.get(code)) log.warn('a department policy names a department with no adapter yet (a remote adapter may register later)', { department: code });
  }

  const changes = new ChangeFeeds(registry, cache, config.departments.changePollIntervalMs, config.departments.timeoutMs, log);

  const db = deps.db ?? (await openDb(config.databaseUrl, config.dataDir));
  await migrate(db);
  await WorkingCalendar.store(db);
  const catalogue = new Catalogue();
  await catalogue.load(db);
  if (catalogue.size === 0) {
    if (config.auth.production && config.catalogueIsDefaultSample) {
      if (!deps.db) await db.close().catch(() => undefined);
      throw new ConfigError('the ledger has no service-item catalogue: set CATALOGUE_FILE to the district\'s (check it first with `npm run catalogue -- validate <file>`); the sample catalogue is for development');
    }
    const items = parseCatalogueText(await readFile(config.catalogueFile, 'utf8'), config.catalogueFile);
    await importCatalogue(db, items);
    await catalogue.load(db);
    log.info('catalogue imported at start', { items: catalogue.size, sample: items.some((i) => i.sample) });
  }
  const caseService = new CaseService(db, catalogue, new WorkingCalendar(), log);
  const outbox = new OutboxWorker(db, registry, caseService, config.outbox, log);

  // PGlite runs in this process: when it fails, so does the hub, and there is nothing to spool for.
  const audit = new AuditLog(db, auditSecret(config, log), log, db.kind === 'postgres' && config.audit.spoolMaxBytes > 0 ? new AuditSpool(config.audit.spoolFile, config.audit.spoolMaxBytes) : null);

  const keys = await HubKeys.load(config.remote.signingKey, config.remote.signingKeysPublished);
  if (keys.generated) log.warn('HUB_SIGNING_KEY is not set: this process signs with a key of its own; replicas need a shared one');
  if (config.remote.allowInsecureHttp) log.warn('REMOTE_ADAPTERS_ALLOW_HTTP is on: adapters may register plain-http base URLs — development only');
  const remote = new RemoteRegistry(db, cache, registry, keys, dispatcher, catalogue, { ...config.remote, keyPrefix: config.cache.keyPrefix }, log);
  await remote.sync();

  const apollo = new ApolloServer<Context>({
    schema: await buildHubSchema(),
    // No HTTP cache hints: answers are personal and per caller (the plugin costs time per field).
    // No inline traces for routers: they would carry resolver errors and timings to any caller who asks.
    introspection: config.auth.introspection,
    // Signals are the hub's (src/main.ts drains, then stops Apollo). Apollo's own handler would stop
    // at once and raise the signal again, which ends the process before anything drains.
    stopOnTerminationSignals: false,
    plugins: [accessPlugin(), limitsPlugin(), departmentFailuresPlugin(), databaseUnavailablePlugin(), auditPlugin(audit, log), ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled()],
    logger: { debug: (m) => log.debug(String(m)), info: (m) => log.info(String(m)), warn: (m) => log.warn(String(m)), error: (m) => log.error(String(m)) },
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => {
      const code = formatted.extensions?.code;
      if (typeof code === 'string' && PUBLIC_CODES.has(code)) return formatted;
      if (unwrapResolverError(error) instanceof DatabaseUnavailableError) {
        return { message: 'the case ledger is unavailable just now; nothing was changed — try again shortly', path: formatted.path, extensions: { code: 'DATABASE_UNAVAILABLE' } };
      }
      log.error('unexpected error in a request', { path: formatted.path?.join('.'), ...describeError(unwrapResolverError(error)) });
      return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    },
  });
  await apollo.start();

  const contextOptions = { registry, batching: config.batching, cases: { service: caseService, outbox, instantBudgetMs: config.instantBudgetMs, appealNotice: config.appealNotice } };
  let draining = false;
  let inFlight = 0;
  metrics.bind({
    departments: () => registry.all().map((g) => ({ code: g.code, breaker: g.breaker.state, ...g.bulkhead })),
    db,
    auditSpooled: () => audit.spooled,
  });
  const handle = createHandler({ config, registry, cache, db, keys, remote, authenticator, apollo, contextOptions, log, draining: () => draining, metrics });
  const server = http.createServer((req, res) => {
    if (draining) {
      // A request on a connection kept alive from before the stop: not started, so safe to repeat elsewhere.
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' });
      res.end(JSON.stringify({ errors: [{ message: 'the hub is shutting down; send the request again (another replica will take it)', extensions: { code: 'SHUTTING_DOWN' } }] }));
      return;
    }
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (draining) server.closeIdleConnections();
    });
    handle(req, res).catch((err) => {
      log.error('HTTP handler failed', describeError(err));
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  changes.start();
  outbox.start();
  remote.start();
  // A catalogue imported by the CLI (or another replica) is picked up within a minute.
  const catalogueTimer = setInterval(() => void catalogue.load(db).catch((err) => log.warn('catalogue reload failed', describeError(err))), 60_000);
  catalogueTimer.unref();

  return {
    url,
    graphqlUrl: `${url}/graphql`,
    registry,
    cache,
    changes,
    apollo,
    db,
    cases: caseService,
    outbox,
    remote,
    keys,
    audit,
    context: (principal, h = {}) => buildContext(contextOptions, { get: (n) => h[n.toLowerCase()] }, principal),
    devIssuer,
    async stop({ deadlineMs = 10_000 } = {}) {
      const started = Date.now();
      draining = true;
      clearInterval(catalogueTimer);
      remote.stop();
      const inFlightAtStop = inFlight;
      // No new connections; idle kept-alive ones closed now, busy ones once their answer is out.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let cut = false;
      const force = setTimeout(() => {
        cut = true;
        server.closeAllConnections();
        // Department calls still running for requests nobody waits for any more: abort them.
        if (ownDispatcher) void dispatcher.destroy().catch(() => undefined);
      }, deadlineMs);
      const [, outboxStop] = await Promise.all([closed, outbox.stop(Math.max(0, deadlineMs - 500)), changes.stop()]);
      clearTimeout(force);
      await apollo.stop();
      await audit.close();
      await registry.close();
      if (ownDispatcher && !cut) await dispatcher.close();
      if (!deps.cache) await cache.close();
      if (!deps.db) await db.close();
      log.info('stopped', { ms: Date.now() - started, requestsInFlightAtStop: inFlightAtStop, connectionsCut: cut, outboxReleased: outboxStop.released });
      return !cut && !outboxStop.released;
    },
  };
}
