/**
 * The hub side of the remote adapter protocol: register, heartbeat, deregister, and the sync that
 * makes every replica serve what any replica accepted. Registrations live in PostgreSQL, liveness
 * in the cache store (Redis across replicas): a heartbeat key lives three intervals, so three
 * missed heartbeats — or a deregistration — make the adapter DOWN, and its department is served
 * from the cache (STALE) while the cache allows, then UNAVAILABLE.
 */
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { Adapter } from '../../adapters/contract.js';
import type { CacheStore } from '../cache/store.js';
import type { Catalogue } from '../cases/catalogue-store.js';
import type { Db } from '../db/db.js';
import type { Registry } from '../departments/registry.js';
import { describeError, type Logger } from '../log.js';
import { verifyCredential } from './credentials.js';
import type { HubKeys } from './hub-keys.js';
import { parseRegistration, ProtocolError, type Registration } from './protocol.js';
import { remoteAdapter } from './remote-adapter.js';

export interface RemoteRegistryOptions {
  heartbeatIntervalSeconds: number;
  /** How often each replica reads the registry and the liveness keys, ms. */
  syncMs: number;
  allowInsecureHttp: boolean;
  probeTimeoutMs: number;
  keyPrefix: string;
}

interface Known {
  id: string;
  registration: Registration;
  alive: boolean;
  /** When this replica last heard the adapter's heartbeat itself (ms; 0 = never). */
  heardAt: number;
}

export class RemoteRegistry {
  private readonly known = new Map<string, Known>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly store: CacheStore,
    private readonly registry: Registry,
    private readonly keys: HubKeys,
    private readonly dispatcher: Dispatcher,
    private readonly catalogue: Catalogue,
    private readonly options: RemoteRegistryOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    const tick = () => void this.sync().catch((err) => this.log.warn('adapter registry sync failed', describeError(err))).finally(() => (this.timer = this.timer && setTimeout(tick, this.options.syncMs)));
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private aliveKey(id: string): string {
    return `${this.options.keyPrefix}alive:${id}`;
  }

  /** How long one heartbeat keeps an adapter alive: three intervals (three missed = DOWN). */
  private get livenessMs(): number {
    return 3 * this.options.heartbeatIntervalSeconds * 1000;
  }

  /** Reads registrations and liveness; builds gateways for registrations this replica has not seen. */
  async sync(): Promise<void> {
    const { rows } = await this.db.query<{ id: string; registration: Registration | string; deregistered_at: Date | null }>(
      `select id, registration, deregistered_at from adapters a
       where deregistered_at is null or registered_at = (select max(registered_at) from adapters b where b.department = a.department)`,
    );
    // Liveness lives in the cache store. When it cannot be read (Redis restarting), liveness is
    // unknown, not "dead": adapters keep the state they had (a new one counts as alive until its
    // heartbeats can be read), and the breaker still guards every call.
    const alive: unknown[] | null = rows.length ? await this.store.mget(rows.map((r) => this.aliveKey(r.id))).catch(() => null) : [];
    rows.forEach((r, i) => {
      const registration = typeof r.registration === 'string' ? (JSON.parse(r.registration) as Registration) : r.registration;
      const known = this.known.get(r.id);
      // Alive: a replica recorded a heartbeat within three intervals — in the store, or heard here
      // (a beat this replica could not record while the store was away still counts).
      const heardHere = known !== undefined && Date.now() - known.heardAt < this.livenessMs;
      const isAlive = r.deregistered_at === null && (alive === null ? (known?.alive ?? true) : (alive[i] !== null && alive[i] !== undefined) || heardHere);
      if (known) known.alive = isAlive;
      else this.install(r.id, registration, isAlive);
    });
  }

  private install(id: string, registration: Registration, alive: boolean): void {
    const entry: Known = { id, registration, alive, heardAt: 0 };
    // A newer registration of the department replaces the older one (and a bundled adapter).
    for (const [otherId, other] of this.known) if (other.registration.department.code === registration.department.code) this.known.delete(otherId);
    this.known.set(id, entry);
    const adapter: Adapter = remoteAdapter(registration, {
      dispatcher: this.dispatcher,
      keys: this.keys,
      isAlive: () => entry.alive,
      evidenceMaterials: () => this.catalogue.materialsSharedBy(registration.department.code),
    });
    this.registry.add(adapter, { replace: true });
    this.log.info('remote adapter installed', { department: registration.department.code, adapterId: id, alive });
  }

  /** HTTP: POST /adapters/v1/register, POST /adapters/v1/heartbeat, DELETE /adapters/v1/{id}. */
  async handle(method: string, path: string, authorization: string | undefined, body: unknown): Promise<{ status: number; body?: unknown }> {
    try {
      const credential = await verifyCredential(this.db, authorization);
      if (!credential) throw new ProtocolError(401, 'UNAUTHENTICATED', 'unknown, expired or revoked department credential');
      if (method === 'POST' && path === '/adapters/v1/register') return await this.register(credential.department, body);
      if (method === 'POST' && path === '/adapters/v1/heartbeat') return await this.heartbeat(credential.department, body);
      const m = /^\/adapters\/v1\/([A-Za-z0-9_-]{1,64})$/.exec(path);
      if (method === 'DELETE' && m) return await this.deregister(credential.department, m[1]!);
      throw new ProtocolError(404, 'NOT_FOUND', `no ${method} ${path} in the adapter protocol`);
    } catch (err) {
      if (err instanceof ProtocolError) return { status: err.status, body: { error: { code: err.code, message: err.message } } };
      this.log.error('adapter protocol request failed', describeError(err));
      const unavailable = (err as { code?: string }).code === 'DATABASE_UNAVAILABLE';
      return { status: unavailable ? 503 : 500, body: { error: { code: unavailable ? 'UNAVAILABLE' : 'INTERNAL', message: unavailable ? 'the registry is unavailable; try again' : 'internal error' } } };
    }
  }

  private async register(department: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const reg = parseRegistration(body, this.options.allowInsecureHttp);
    if (reg.department.code !== department) throw new ProtocolError(403, 'PERMISSION_DENIED', `this credential is for ${department}; it cannot register ${reg.department.code}`);
    await this.probe(reg);
    const id = 'ad_' + createHash('sha256').update(`${reg.department.code}|${reg.baseUrl}`).digest('base64url').slice(0, 20);
    const existing = await this.db.query<{ deregistered_at: Date | null }>('select deregistered_at from adapters where id = $1', [id]);
    await this.db.query(
      `insert into adapters (id, department, department_name, base_url, contract_version, registration) values ($1, $2, $3, $4, $5, $6::jsonb)
       on conflict (id) do update set registration = excluded.registration, department_name = excluded.department_name, registered_at = now(), deregistered_at = null`,
      [id, reg.department.code, reg.department.name, reg.baseUrl, reg.contractVersion, JSON.stringify(reg)],
    );
    await this.beat(id);
    this.known.delete(id); // re-install with the new registration
    this.install(id, reg, true);
    return { status: existing.rows[0] ? 200 : 201, body: { adapterId: id, heartbeatIntervalSeconds: this.options.heartbeatIntervalSeconds } };
  }

  /** GET {baseUrl}/v1/capabilities must agree with what is registered. */
  private async probe(reg: Registration): Promise<void> {
    let answer: { department?: { code?: unknown }; capabilities?: unknown; contractVersion?: unknown };
    try {
      const res = await fetch(`${reg.baseUrl}/v1/capabilities`, { headers: { authorization: `Bearer ${await this.keys.sign(reg.department.code, 'hub:registry')}` }, signal: AbortSignal.timeout(this.options.probeTimeoutMs) });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      answer = (await res.json()) as typeof answer;
    } catch (err) {
      throw new ProtocolError(422, 'INVALID_ARGUMENT', `the capabilities probe of baseUrl failed (${err instanceof Error ? err.message : 'unreachable'})`);
    }
    if (answer?.department?.code !== reg.department.code) throw new ProtocolError(422, 'INVALID_ARGUMENT', 'the capabilities probe names another department');
    const offered = Array.isArray(answer.capabilities) ? answer.capabilities : [];
    const missing = reg.capabilities.filter((c) => !offered.includes(c));
    if (missing.length) throw new ProtocolError(422, 'INVALID_ARGUMENT', `the capabilities probe contradicts the registration: the adapter does not offer ${missing.join(', ')}`);
  }

  private async owned(department: string, id: unknown): Promise<string> {
    if (typeof id !== 'string') throw new ProtocolError(422, 'INVALID_ARGUMENT', 'adapterId is required');
    const { rows } = await this.db.query<{ department: string; deregistered_at: Date | null }>('select department, deregistered_at from adapters where id = $1', [id]);
    if (!rows[0] || rows[0].deregistered_at) throw new ProtocolError(404, 'NOT_FOUND', 'no such registered adapter');
    if (rows[0].department !== department) throw new ProtocolError(403, 'PERMISSION_DENIED', 'this adapter belongs to another department');
    return id;
  }

  private async beat(id: string): Promise<void> {
    // This replica heard it either way; a store that cannot take the beat just now (Redis
    // restarting) only means the other replicas hear of it at the next one.
    await this.store.mset([{ key: this.aliveKey(id), value: 1, ttlMs: this.livenessMs }]).catch((err) => this.log.warn('heartbeat not shared with other replicas: the cache store is unavailable', describeError(err)));
    const known = this.known.get(id);
    if (known) {
      known.alive = true;
      known.heardAt = Date.now();
    }
  }

  private async heartbeat(department: string, body: unknown): Promise<{ status: number }> {
    await this.beat(await this.owned(department, (body as { adapterId?: unknown } | null)?.adapterId));
    return { status: 204 };
  }

  private async deregister(department: string, id: string): Promise<{ status: number }> {
    await this.owned(department, id);
    await this.db.query('update adapters set deregistered_at = now() where id = $1', [id]);
    await this.store.del([this.aliveKey(id)]).catch(() => undefined);
    const known = this.known.get(id);
    if (known) known.alive = false;
    return { status: 204 };
  }
}
