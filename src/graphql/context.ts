/**
 * The one typed context of a GraphQL request, built in one function. Loaders live here and only
 * here: per request, so no answer fetched for one caller is ever handed to another by a loader.
 */
import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import type { GraphQLFormattedError } from 'graphql';
import { CAPABILITY_FIELD, type CallContext, type DepartmentData, type ReadCapability, type ResidentRecord } from '../../adapters/contract.js';
import { RequestAudit } from '../audit/plugin.js';
import { MASKED_ROLES, type Principal } from '../auth/principal.js';
import type { OutboxWorker } from '../cases/outbox.js';
import type { Actor, CaseRow, CaseService } from '../cases/service.js';
import type { DepartmentGateway, Sourced } from '../departments/gateway.js';
import type { Registry } from '../departments/registry.js';
import { fromHeaderValue } from '../../adapters/correlation.js';

export interface RequestInfo {
  requestId: string;
  /** Who acts: the token's subject (forwarded to departments, recorded in case events). */
  operator: string;
  purpose: string;
}

/** The case ledger's services, shared by all requests. */
export interface CaseServices {
  service: CaseService;
  outbox: OutboxWorker;
  /** How long submitCase waits for an instant item's department before leaving it to the outbox, ms. */
  instantBudgetMs: number;
  /** 不予受理: the appeal notice given with every decision (APPEAL_NOTICE). */
  appealNotice: string;
}

export interface Context extends RequestInfo {
  principal: Principal;
  /** Personal data leaves masked (analysts always). */
  masked: boolean;
  /** What this request read of whom, for the audit log. */
  audit: RequestAudit;
  registry: Registry;
  loaders: Loaders;
  failures: DepartmentFailures;
  /** The request's "now", so every age and date in one answer agrees. */
  now: Date;
  cases: CaseServices;
  /** Who acts and where (window or station), for case events. */
  actor: Actor;
  caseLoaders: CaseLoaders;
}

export interface ContextOptions {
  registry: Registry;
  batching: boolean;
  cases: CaseServices;
}

/** Per-request batching of what case fields need, so a page of cases costs a handful of queries. */
export class CaseLoaders {
  constructor(private readonly service: CaseService) {}
  readonly events = new DataLoader((nos: readonly string[]) => this.service.events(nos));
  readonly materials = new DataLoader((nos: readonly string[]) => this.service.materials(nos));
  readonly forwarding = new DataLoader((nos: readonly string[]) => this.service.forwarding(nos));
  readonly byApplicant = new DataLoader((ids: readonly string[]) => this.service.byApplicant(ids));
}

export type { CaseRow };

export function buildContext(options: ContextOptions, headers: { get(name: string): string | undefined }, principal: Principal): Context {
  const requestId = sanitizeHeader(headers.get('x-request-id')) ?? randomUUID();
  const info: RequestInfo = {
    requestId,
    operator: principal.subject,
    purpose: (fromHeaderValue(headers.get('x-purpose')) ?? 'unspecified') + (principal.unmaskGrant ? ` [unmask grant ${principal.unmaskGrant}]` : ''),
  };
  let caseLoaders: CaseLoaders | undefined;
  return {
    ...info,
    principal,
    masked: MASKED_ROLES.has(principal.role) && !principal.unmaskGrant,
    audit: new RequestAudit(),
    registry: options.registry,
    loaders: new Loaders(options.registry, info, options.batching),
    failures: new DepartmentFailures(),
    now: new Date(),
    cases: options.cases,
    // Where the operator acts comes from the token, never from a header the client chooses.
    actor: { operator: info.operator, window: principal.window, station: principal.station },
    // Made on first use: most requests never touch a case.
    get caseLoaders(): CaseLoaders {
      return (caseLoaders ??= new CaseLoaders(options.cases.service));
    },
  };
}

/** Header values forwarded to departments: printable, bounded. */
function sanitizeHeader(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const clean = v.replace(/[^\x20-\x7e]/g, '').slice(0, 128);
  return clean || undefined;
}

/** What one capability gave for one person, with its provenance. */
export interface CapabilityAnswer<C extends ReadCapability> {
  value: DepartmentData[(typeof CAPABILITY_FIELD)[C]] | undefined;
  /** null data = the department does not know this person. */
  sourced: Sourced;
}

export class Loaders {
  private readonly loaders = new Map<string, DataLoader<string, Sourced>>();

  constructor(
    private readonly registry: Registry,
    private readonly info: RequestInfo,
    private readonly batching: boolean,
  ) {}

  /** The request's loader for one fetcher of one department. */
  fetcher(gateway: DepartmentGateway, fetcherName: string): DataLoader<string, Sourced> {
    const key = `${gateway.code}/${fetcherName}`;
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = new DataLoader<string, Sourced>((ids) => gateway.load(fetcherName, ids, (signal) => this.callContext(signal)), { batch: this.batching });
      this.loaders.set(key, loader);
    }
    return loader;
  }

  /** One capability of one department for one person, or the Error that kept it from us. */
  async capability<C extends ReadCapability>(gateway: DepartmentGateway, capability: C, idNumber: string): Promise<CapabilityAnswer<C> | Error> {
    const fetcherName = gateway.adapter.capabilities[capability];
    if (!fetcherName) return new Error(`${gateway.code} does not serve ${capability}`);
    try {
      const sourced = await this.fetcher(gateway, fetcherName).load(idNumber);
      return { sourced, value: sourced.data?.[CAPABILITY_FIELD[capability]] as CapabilityAnswer<C>['value'] };
    } catch (err) {
      return err as Error;
    }
  }

  /** Core records from the population registry, through this request's loader and the cache. */
  async residents(idNumbers: readonly string[]): Promise<Array<ResidentRecord | null | Error>> {
    const registry = this.registry.serving('residents')[0];
    if (!registry) return idNumbers.map(() => new Error('no department serves residents'));
    const answers = await Promise.all(idNumbers.map((id) => this.capability(registry, 'residents', id)));
    return answers.map((a) => (a instanceof Error ? a : (a.value as ResidentRecord | undefined) ?? null));
  }

  private callContext(signal: AbortSignal): CallContext {
    return { signal, ...this.info, residents: (ids) => this.residents(ids) };
  }
}

/**
 * Department failures of this request, turned into GraphQL errors next to the partial data
 * (extensions.code DEPARTMENT_UNAVAILABLE and the department's code), at most one per department
 * per resident.
 */
export class DepartmentFailures {
  private readonly errors = new Map<string, GraphQLFormattedError & { weak: boolean }>();

  /**
   * `weak` reports (from `sources`, which shows the state itself) give way to a report from a
   * data field, so the error's path points at the data that is missing whatever resolves first.
   */
  report(gateway: DepartmentGateway, error: Error, path: ReadonlyArray<string | number>, scope: string, weak = false): void {
    const key = `${gateway.code}|${scope}`;
    const existing = this.errors.get(key);
    if (existing && (weak || !existing.weak)) return;
    this.errors.set(key, {
      weak,
      message: `${gateway.adapter.department.name} (${gateway.code}) is unavailable: ${publicReason(error)}`,
      path: [...path],
      extensions: { code: 'DEPARTMENT_UNAVAILABLE', department: gateway.code },
    });
  }

  list(): GraphQLFormattedError[] {
    return [...this.errors.values()].map(({ weak: _weak, ...error }) => error);
  }
}

/** Our typed department errors carry messages written to be shown; anything else is summarised. */
export function publicReason(error: Error): string {
  return typeof (error as { code?: unknown }).code === 'string' && 'department' in error ? error.message : 'the department call failed';
}
