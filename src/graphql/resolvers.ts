/**
 * Resolvers do no I/O of their own: they read the request's loaders and shape the answer.
 * A department that fails leaves its part empty (or null), reports DEPARTMENT_UNAVAILABLE once per
 * resident, and shows UNAVAILABLE/STALE in `sources`; everything else stays intact.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from 'type-graphql';
import { READ_CAPABILITIES, type EntitlementRecord, type ReadCapability } from '../../adapters/contract.js';
import type { DepartmentGateway } from '../departments/gateway.js';
import { ageOn, checkIdNumber } from '../domain/idnumber.js';
import { assertResident } from '../auth/access.js';
import { maskIdNumber } from '../auth/mask.js';
import { BadUserInputError } from '../errors.js';
import type { CapabilityAnswer, Context } from './context.js';
import { publicReason } from './context.js';
import { DateScalar } from './scalars.js';
import { selectedFieldNames } from './selection.js';
import {
  Department,
  DepartmentStatus,
  DisabilityCertificate,
  Entitlement,
  EntitlementStatus,
  Hospital,
  MedicalInsuranceEnrollment,
  PaymentRecord,
  Resident,
  SocialInsuranceAccount,
  SourceState,
  SourceStatus,
} from './types.js';

export const MAX_RESIDENTS_PER_QUERY = 500;

const capabilityLists = new WeakMap<DepartmentGateway, string[]>();
const capabilitiesOf = (g: DepartmentGateway): string[] => {
  let list = capabilityLists.get(g);
  if (!list) capabilityLists.set(g, (list = [...Object.keys(g.adapter.capabilities), ...(g.adapter.cases ? ['cases'] : []), ...(g.adapter.changes ? ['changes'] : [])]));
  return list;
};

export function toDepartment(g: DepartmentGateway, ctx: Context): Department {
  return Object.assign(new Department(), {
    code: g.code,
    name: g.adapter.department.name,
    capabilities: capabilitiesOf(g),
    status: g.status() as DepartmentStatus,
    serviceItemCount: ctx.cases.service.catalogue.countFor(g.code),
  });
}

/** A department by code; one the catalogue names but no adapter serves is shown DOWN. */
export function departmentOf(ctx: Context, code: string): Department {
  const g = ctx.registry.get(code);
  if (g) return toDepartment(g, ctx);
  return Object.assign(new Department(), { code, name: code, capabilities: [], status: DepartmentStatus.DOWN, serviceItemCount: ctx.cases.service.catalogue.countFor(code) });
}

const pathOf = (info: GraphQLResolveInfo): (string | number)[] => {
  const out: (string | number)[] = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) out.unshift(p.key);
  return out;
};
/** Failures are reported once per department per resident: the resident's path is the scope. */
const residentScope = (info: GraphQLResolveInfo) => pathOf(info).slice(0, -1).join('.');

/** Resident fields that need a department, and the capability that serves each. */
const FIELD_CAPABILITY: Record<string, ReadCapability | 'sources'> = {
  // every read capability but `residents` is a Resident field of the same name
  ...Object.fromEntries(READ_CAPABILITIES.filter((c) => c !== 'residents').map((c) => [c, c])),
  sources: 'sources',
};

/** The Resident fields a resolver's selection asks for (through fragments too). */
const residentFields = (info: GraphQLResolveInfo): Set<string> =>
  selectedFieldNames(info.fieldNodes.map((n) => n.selectionSet), (name) => info.fragments[name]?.selectionSet);

/** What `sources` reports on for a department: its entitlements, or the registry's records. */
function sourceCapability(g: DepartmentGateway): ReadCapability | undefined {
  return g.adapter.capabilities.entitlements ? 'entitlements' : g.adapter.capabilities.residents ? 'residents' : undefined;
}

/** Today in China (UTC+8), where the service centre is; ages change at local midnight. */
const chinaToday = (now: Date) => new Date(now.getTime() + 8 * 3600_000);

/**
 * Federation: a Resident referenced by another subgraph (`{ __typename: "Resident", idNumber }`)
 * resolves like `resident(idNumber)`.
 */
export async function resolveResidentReference(ref: { idNumber?: unknown }, ctx: Context, info: GraphQLResolveInfo): Promise<Resident | null> {
  return new ResidentResolver().resident(String(ref.idNumber ?? ''), ctx, info);
}

@Resolver(() => Resident)
export class ResidentResolver {
  @Query(() => Resident, { nullable: true, description: 'The resident with this ID number; null when the population registry does not know them. Invalid ID → BAD_USER_INPUT.' })
  async resident(@Arg('idNumber', () => ID) idNumber: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Resident | null> {
    const check = checkIdNumber(idNumber, ctx.now);
    if (!check.ok) throw new BadUserInputError(`idNumber is invalid: ${check.message}`, { argument: 'idNumber', problem: check.problem });
    assertResident(ctx, check.idNumber);
    return this.loadResident(ctx, check.idNumber, pathOf(info), info);
  }

  @Query(() => [Resident], { nullable: 'items', description: `Several residents at once, in the order asked (null for unknown ones); at most ${MAX_RESIDENTS_PER_QUERY} ID numbers.` })
  async residents(@Arg('idNumbers', () => [ID]) idNumbers: string[], @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Array<Resident | null>> {
    if (idNumbers.length > MAX_RESIDENTS_PER_QUERY) {
      throw new BadUserInputError(`at most ${MAX_RESIDENTS_PER_QUERY} ID numbers per query, got ${idNumbers.length}`, { argument: 'idNumbers', limit: MAX_RESIDENTS_PER_QUERY });
    }
    const checks = idNumbers.map((id) => checkIdNumber(id, ctx.now));
    const invalid = checks.flatMap((c, index) => (c.ok ? [] : [{ index, problem: c.problem, message: c.message }]));
    if (invalid.length) {
      const first = invalid[0]!;
      throw new BadUserInputError(`${invalid.length} of the ID numbers are invalid; the first, at index ${first.index}: ${first.message}`, { argument: 'idNumbers', invalid });
    }
    for (const c of checks) assertResident(ctx, (c as { idNumber: string }).idNumber);
    const path = pathOf(info);
    return Promise.all(checks.map((c, i) => this.loadResident(ctx, (c as { idNumber: string }).idNumber, [...path, i], info)));
  }

  /** The registry's record as a Resident; null (with the failure reported) when it cannot be had. */
  async loadResident(ctx: Context, idNumber: string, path: (string | number)[], info: GraphQLResolveInfo): Promise<Resident | null> {
    const registry = ctx.registry.serving('residents')[0];
    if (!registry) throw new Error('no population adapter is registered');
    const fields = residentFields(info);
    this.prefetch(ctx, idNumber, fields);
    ctx.audit.touch(idNumber, fields);
    const answer = await ctx.loaders.capability(registry, 'residents', idNumber);
    if (answer instanceof Error) {
      ctx.failures.report(registry, answer, path, path.join('.'));
      return null;
    }
    return answer.value ? Resident.from(answer.value as never, ctx.masked) : null;
  }

  /**
   * Starts the department loads the query will need while the population record is still on its
   * way, so a resident costs the slowest department's latency rather than the registry's plus it.
   * The loads land in this request's DataLoaders, where the field resolvers find them; their
   * failures are reported there, so here they are only kept from becoming unhandled rejections.
   */
  private prefetch(ctx: Context, idNumber: string, fields: ReadonlySet<string>): void {
    const capabilities = new Set([...fields].flatMap((f) => (FIELD_CAPABILITY[f] ? [FIELD_CAPABILITY[f]] : [])));
    for (const cap of capabilities) {
      for (const g of cap === 'sources' ? ctx.registry.all() : ctx.registry.serving(cap)) {
        const c = cap === 'sources' ? sourceCapability(g) : cap;
        if (c && g.adapter.capabilities[c]) void ctx.loaders.capability(g, c, idNumber);
      }
    }
  }

  @FieldResolver(() => Int)
  age(@Root() r: Resident, @Ctx() ctx: Context): number {
    return ageOn(r.born, chinaToday(ctx.now));
  }

  @FieldResolver(() => [Entitlement], { description: 'Entitlements at every registered department, in one list.' })
  async entitlements(
    @Root() r: Resident,
    @Arg('department', () => ID, { nullable: true }) department: string | undefined,
    @Arg('status', () => EntitlementStatus, { nullable: true }) status: EntitlementStatus | undefined,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Entitlement[]> {
    if (department && !ctx.registry.get(department)) {
      throw new BadUserInputError(`unknown department code; known: ${ctx.registry.all().map((g) => g.code).join(', ')}`, { argument: 'department' });
    }
    const gateways = ctx.registry.serving('entitlements').filter((g) => !department || g.code === department);
    const lists = await Promise.all(
      gateways.map(async (g) => {
        const answer = await ctx.loaders.capability(g, 'entitlements', r.key);
        if (answer instanceof Error) {
          ctx.failures.report(g, answer, pathOf(info), residentScope(info));
          return [];
        }
        const dept = toDepartment(g, ctx);
        return ((answer.value ?? []) as EntitlementRecord[]).map((e) =>
          Object.assign(new Entitlement(), {
            ...e,
            department: dept,
            status: e.status as EntitlementStatus,
          }),
        );
      }),
    );
    return lists.flat().filter((e) => !status || e.status === status);
  }

  /** A typed record from the first department serving the capability; null (and an error) if it failed. */
  private async single<C extends ReadCapability>(capability: C, r: Resident, ctx: Context, info: GraphQLResolveInfo): Promise<CapabilityAnswer<C>['value'] | null> {
    const g = ctx.registry.serving(capability)[0];
    if (!g) return null;
    const answer = await ctx.loaders.capability(g, capability, r.key);
    if (answer instanceof Error) {
      ctx.failures.report(g, answer, pathOf(info), residentScope(info));
      return null;
    }
    if (!ctx.masked || !answer.value) return answer.value ?? null;
    // Identifiers that reveal the person are masked too: the certificate number contains the ID number.
    if (capability === 'disabilityCertificate') {
      const c = answer.value as { certificateNo: string };
      return { ...c, certificateNo: maskIdNumber(c.certificateNo.slice(0, 18)) + c.certificateNo.slice(18) } as never;
    }
    if (capability === 'socialInsurance') {
      const a = answer.value as { personNo: string };
      return { ...a, personNo: `${a.personNo.slice(0, 4)}****${a.personNo.slice(-2)}` } as never;
    }
    return answer.value;
  }

  @FieldResolver(() => SocialInsuranceAccount, { nullable: true })
  async socialInsurance(@Root() r: Resident, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<SocialInsuranceAccount | null> {
    return (await this.single('socialInsurance', r, ctx, info)) as SocialInsuranceAccount | null;
  }

  @FieldResolver(() => [PaymentRecord], { description: 'Monthly contributions, oldest first; from/to compare by month.' })
  async paymentRecords(
    @Root() r: Resident,
    @Arg('from', () => DateScalar, { nullable: true }) from: string | undefined,
    @Arg('to', () => DateScalar, { nullable: true }) to: string | undefined,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<PaymentRecord[]> {
    const records = ((await this.single('paymentRecords', r, ctx, info)) ?? []) as PaymentRecord[];
    const lo = from?.slice(0, 7) ?? '0000-00';
    const hi = to?.slice(0, 7) ?? '9999-99';
    return records.filter((p) => p.month >= lo && p.month <= hi);
  }

  @FieldResolver(() => MedicalInsuranceEnrollment, { nullable: true })
  async medicalInsurance(@Root() r: Resident, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<MedicalInsuranceEnrollment | null> {
    return (await this.single('medicalInsurance', r, ctx, info)) as MedicalInsuranceEnrollment | null;
  }

  @FieldResolver(() => [Hospital])
  async designatedHospitals(@Root() r: Resident, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Hospital[]> {
    return ((await this.single('designatedHospitals', r, ctx, info)) ?? []) as Hospital[];
  }

  @FieldResolver(() => DisabilityCertificate, { nullable: true })
  async disabilityCertificate(@Root() r: Resident, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<DisabilityCertificate | null> {
    return (await this.single('disabilityCertificate', r, ctx, info)) as DisabilityCertificate | null;
  }

  @FieldResolver(() => [SourceStatus], { description: "Per department: where this resident's data came from and how fresh it is." })
  async sources(@Root() r: Resident, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<SourceStatus[]> {
    return Promise.all(
      ctx.registry.all().map(async (g) => {
        const department = toDepartment(g, ctx);
        const main = sourceCapability(g);
        if (!main) return Object.assign(new SourceStatus(), { department, state: SourceState.NOT_APPLICABLE, fetchedAt: null, error: null });
        const answer = await ctx.loaders.capability(g, main, r.key);
        if (answer instanceof Error) {
          ctx.failures.report(g, answer, pathOf(info), residentScope(info), true);
          return Object.assign(new SourceStatus(), { department, state: SourceState.UNAVAILABLE, fetchedAt: null, error: publicReason(answer) });
        }
        return Object.assign(new SourceStatus(), { department, state: answer.sourced.state as SourceState, fetchedAt: new Date(answer.sourced.fetchedAt), error: null });
      }),
    );
  }
}

@Resolver(() => Department)
export class DepartmentResolver {
  @Query(() => [Department], { description: 'Every registered department with its current status.' })
  departments(@Ctx() ctx: Context): Department[] {
    return ctx.registry.all().map((g) => toDepartment(g, ctx));
  }
}
