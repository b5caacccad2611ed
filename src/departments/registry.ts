/**
 * The departments the hub serves: one gateway per registered adapter. Bundled adapters are
 * registered at start from configuration; the registry is the one place that answers "who serves
 * this capability".
 */
import type { Adapter, AdapterDefinition, ReadCapability } from '../../adapters/contract.js';
import { CONTRACT_VERSION } from '../../adapters/contract.js';
import type { CacheStore } from '../cache/store.js';
import type { Logger } from '../log.js';
import { NO_OBSERVER, type DepartmentObserver } from '../metrics.js';
import { CacheKeys, DepartmentGateway, type DepartmentPolicy, type GatewayOptions } from './gateway.js';

export class Registry {
  private readonly gateways = new Map<string, DepartmentGateway>();

  constructor(
    private readonly cache: CacheStore,
    readonly keys: CacheKeys,
    private readonly options: GatewayOptions,
    private readonly log: Logger,
    /** Per-department overrides of `options`, by department code. */
    private readonly policies: Record<string, DepartmentPolicy> = {},
    /** Where the gateways report their calls and cache lookups (the hub's metrics). */
    private readonly observer: DepartmentObserver = NO_OBSERVER,
  ) {}

  add(adapter: Adapter, { replace = false } = {}): DepartmentGateway {
    if (adapter.contractVersion !== CONTRACT_VERSION) throw new Error(`adapter ${adapter.department.code} speaks contract ${adapter.contractVersion}, the hub ${CONTRACT_VERSION}`);
    if (this.gateways.has(adapter.department.code) && !replace) throw new Error(`department ${adapter.department.code} is already registered`);
    for (const [cap, fetcher] of Object.entries(adapter.capabilities)) {
      if (!adapter.fetchers[fetcher]) throw new Error(`adapter ${adapter.department.code}: capability ${cap} names unknown fetcher ${fetcher}`);
    }
    const gateway = new DepartmentGateway(adapter, this.cache, this.keys, { ...this.options, ...this.policies[adapter.department.code] }, this.log, this.observer);
    this.gateways.set(adapter.department.code, gateway);
    return gateway;
  }

  /** Builds and registers bundled adapters; a bad configuration throws (and stops the start). */
  addDefinitions(definitions: readonly AdapterDefinition<unknown>[], env: Record<string, string | undefined>, deps: Parameters<AdapterDefinition<unknown>['create']>[1]): void {
    for (const d of definitions) this.add(d.create(d.parseConfig(env), deps));
  }

  get(code: string): DepartmentGateway | undefined {
    return this.gateways.get(code);
  }

  all(): DepartmentGateway[] {
    return [...this.gateways.values()];
  }

  /** The gateways that serve a capability, in registration order. */
  serving(capability: ReadCapability): DepartmentGateway[] {
    return this.all().filter((g) => g.adapter.capabilities[capability] !== undefined);
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((g) => g.adapter.close?.()));
  }
}
