/**
 * Catalogue, checklist and case resolvers. The case service does the work (and the I/O); these
 * shape its answers into the sketch's types.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { EvidenceRecord } from '../../adapters/contract.js';
import type { MaterialSpec, ServiceItemSpec } from '../cases/catalogue.js';
import { CaseError } from '../cases/state.js';
import { encodeCursor, type CaseRow, type EvidenceLookup } from '../cases/service.js';
import { checkIdNumber } from '../domain/idnumber.js';
import { ACCESS, assertCaseVisible, assertResident } from '../auth/access.js';
import { maskReference } from '../auth/mask.js';
import { BadUserInputError } from '../errors.js';
import type { Context } from './context.js';
import {
  Case,
  CaseConnection,
  CaseDimension,
  CaseEvent,
  CaseFilter,
  CaseStatsBucket,
  CaseStatus,
  Channel,
  CorrectionGap,
  CorrectionGapInput,
  CorrectionRequest,
  ForwardingState,
  ForwardingStatus,
  HandlingMode,
  MaterialChecklist,
  MaterialInput,
  MaterialRequirement,
  Rating,
  ServiceItem,
  SharedMaterial,
  SubmitCaseInput,
  SubmitCaseResult,
  SubmittedMaterial,
} from './case-types.js';
import { departmentOf, ResidentResolver } from './resolvers.js';
import { Resident } from './types.js';

function toMaterial(m: MaterialSpec, ctx: Context): MaterialRequirement {
  return Object.assign(new MaterialRequirement(), { ...m, sharedBy: m.sharedBy ? departmentOf(ctx, m.sharedBy) : null });
}

export function toServiceItem(i: ServiceItemSpec, ctx: Context): ServiceItem {
  return Object.assign(new ServiceItem(), { ...i, department: departmentOf(ctx, i.department), materials: i.materials.map((m) => toMaterial(m, ctx)) });
}

/**
 * A case as it leaves the hub. That a person applied for something (低保, a disability subsidy) is
 * personal data in itself: every case shown is noted for the audit log under its applicant.
 */
function toCase(c: CaseRow, ctx: Context): Case {
  ctx.audit.touch(c.applicantIdNumber, ['case']);
  return Object.assign(new Case(), c);
}

/** What the departments vouch for, through this request's loaders and the cache. */
export function evidenceLookup(ctx: Context): EvidenceLookup {
  return async (idNumber, materials) => {
    const found: Awaited<ReturnType<EvidenceLookup>>['found'] = new Map();
    const failed = new Set<string>();
    const departments = [...new Set(materials.flatMap((m) => (m.sharedBy ? [m.sharedBy] : [])))];
    if (departments.length) ctx.audit.touch(idNumber, ['evidence']); // what the departments hold about them, asked on their behalf
    await Promise.all(
      departments.map(async (code) => {
        const g = ctx.registry.get(code);
        if (!g?.adapter.capabilities.evidence) return void failed.add(code);
        const answer = await ctx.loaders.capability(g, 'evidence', idNumber);
        if (answer instanceof Error) return void failed.add(code);
        for (const e of (answer.value ?? []) as EvidenceRecord[]) {
          if (materials.some((m) => m.code === e.materialCode && m.sharedBy === code)) found.set(e.materialCode, { department: code, reference: e.reference, validUntil: e.validUntil ?? null });
        }
      }),
    );
    return { found, failed };
  };
}

/**
 * The applicant of a case, or the resident of a checklist. When the registry cannot say (down, or
 * the person is not registered here), what the ID number itself tells — birth date and sex — with
 * a name that says so, and the registry's failure reported: a case list never goes blank.
 */
async function residentOrStub(ctx: Context, idNumber: string, info: GraphQLResolveInfo): Promise<Resident> {
  const path: (string | number)[] = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) path.unshift(p.key);
  const found = await new ResidentResolver().loadResident(ctx, idNumber, path, info);
  if (found) return found;
  const check = checkIdNumber(idNumber, ctx.now);
  return Resident.from({ idNumber, name: '（人口库未返回）', gender: check.ok ? check.gender : 'MALE', birthDate: check.ok ? check.birthDate : '1900-01-01' }, ctx.masked);
}

/** Federation: entities referenced by other subgraphs. */
export function resolveServiceItemReference(ref: { code?: unknown }, ctx: Context): ServiceItem | null {
  const item = ctx.cases.service.catalogue.get(String(ref.code ?? ''));
  return item ? toServiceItem(item, ctx) : null;
}
/** A case by reference is read as by the `case` query: the same roles, the same bindings (station, department). */
export async function resolveCaseReference(ref: { caseNo?: unknown }, ctx: Context): Promise<Case | null> {
  if (!ACCESS.case!.includes(ctx.principal.role)) throw new CaseError('FORBIDDEN', `the role ${ctx.principal.role} may not read cases`);
  const c = await ctx.cases.service.get(String(ref.caseNo ?? ''));
  if (c) assertCaseVisible(ctx, c);
  return c ? toCase(c, ctx) : null;
}

async function existing(ctx: Context, caseNo: string): Promise<CaseRow> {
  const c = await ctx.cases.service.get(caseNo);
  if (!c) throw new CaseError('NOT_FOUND', 'there is no case with this number', { caseNo });
  return c;
}

/**
 * An operation on one case that states no purpose has that case as its purpose (docs/ACCESS.md):
 * what its audit records say instead of "unspecified".
 */
function purposeIsTheCase(ctx: Context, caseNo: string): void {
  if (ctx.purpose.startsWith('unspecified')) ctx.purpose = `case:${caseNo}${ctx.purpose.slice('unspecified'.length)}`;
}

/**
 * Station staff see their station's cases, department staff their department's: the filter says so.
 * Whoever sees personal data masked may not pick cases out by an ID number (that would unmask who
 * applied for what): that needs an unmasking grant.
 */
function scopedFilter(ctx: Context, filter: CaseFilter | undefined): CaseFilter {
  const f: CaseFilter = { ...(filter ?? {}) };
  if (ctx.masked && f.applicantIdNumber) throw new CaseError('FORBIDDEN', 'filtering by applicantIdNumber shows who applied for what: with masked access it needs an unmasking grant', { argument: 'filter.applicantIdNumber' });
  if (ctx.principal.role === 'station_staff') f.station = ctx.principal.station;
  if (ctx.principal.role === 'department') f.department = ctx.principal.department;
  return f;
}

@Resolver(() => ServiceItem)
export class CatalogueResolver {
  @Query(() => [ServiceItem], { description: 'The service-item catalogue, filtered.' })
  serviceItems(
    @Arg('department', () => ID, { nullable: true }) department: string | undefined,
    @Arg('channel', () => Channel, { nullable: true }) channel: Channel | undefined,
    @Arg('handlingMode', () => HandlingMode, { nullable: true }) handlingMode: HandlingMode | undefined,
    @Arg('search', () => String, { nullable: true }) search: string | undefined,
    @Ctx() ctx: Context,
  ): ServiceItem[] {
    return ctx.cases.service.catalogue.list({ department, channel, handlingMode, search }).map((i) => toServiceItem(i, ctx));
  }

  @Query(() => ServiceItem, { nullable: true })
  serviceItem(@Arg('code', () => ID) code: string, @Ctx() ctx: Context): ServiceItem | null {
    const item = ctx.cases.service.catalogue.get(code);
    return item ? toServiceItem(item, ctx) : null;
  }

  @Query(() => MaterialChecklist, { description: '一次性告知: what this resident must bring for this item, and what data sharing already covers.' })
  async materialChecklist(@Arg('serviceItemCode', () => ID) serviceItemCode: string, @Arg('idNumber', () => ID) idNumber: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<MaterialChecklist> {
    const item = ctx.cases.service.catalogue.get(serviceItemCode);
    if (!item) throw new BadUserInputError('there is no service item with this code', { argument: 'serviceItemCode' });
    const check = checkIdNumber(idNumber, ctx.now);
    if (!check.ok) throw new BadUserInputError(`idNumber is invalid: ${check.message}`, { argument: 'idNumber', problem: check.problem });
    assertResident(ctx, check.idNumber);
    const [resident, list] = await Promise.all([residentOrStub(ctx, check.idNumber, info), ctx.cases.service.checklist(item, check.idNumber, evidenceLookup(ctx))]);
    return Object.assign(new MaterialChecklist(), {
      serviceItem: toServiceItem(item, ctx),
      resident,
      toBring: list.toBring.map((m) => toMaterial(m, ctx)),
      obtainedBySharing: list.obtained.map((o) => Object.assign(new SharedMaterial(), { material: toMaterial(o.material, ctx), department: departmentOf(ctx, o.department), reference: o.reference, validUntil: o.validUntil })),
      unavailableDepartments: list.failedDepartments,
    });
  }
}

@Resolver(() => Case)
export class CaseResolver {
  @Query(() => Case, { nullable: true })
  async case(@Arg('caseNo', () => ID) caseNo: string, @Ctx() ctx: Context): Promise<Case | null> {
    const c = await ctx.cases.service.get(caseNo);
    if (c) assertCaseVisible(ctx, c);
    if (c) purposeIsTheCase(ctx, caseNo);
    return c ? toCase(c, ctx) : null;
  }

  @Query(() => CaseConnection)
  async cases(
    @Arg('filter', () => CaseFilter, { nullable: true }) filter: CaseFilter | undefined,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: Context,
  ): Promise<CaseConnection> {
    const page = await ctx.cases.service.list(scopedFilter(ctx, filter), first, after ?? null);
    const edges = page.rows.map((c) => ({ cursor: encodeCursor(c), node: toCase(c, ctx) }));
    return Object.assign(new CaseConnection(), { edges, totalCount: page.totalCount, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } });
  }

  @Query(() => [CaseStatsBucket], { description: 'Analysts: counts and rates over cases, grouped by the chosen dimensions.' })
  async caseStats(@Arg('filter', () => CaseFilter, { nullable: true }) filter: CaseFilter | undefined, @Arg('groupBy', () => [CaseDimension]) groupBy: CaseDimension[], @Ctx() ctx: Context): Promise<CaseStatsBucket[]> {
    return (await ctx.cases.service.stats(scopedFilter(ctx, filter), groupBy)).map((b) => Object.assign(new CaseStatsBucket(), b));
  }

  @Mutation(() => SubmitCaseResult)
  async submitCase(@Arg('input', () => SubmitCaseInput) input: SubmitCaseInput, @Ctx() ctx: Context): Promise<SubmitCaseResult> {
    const { service, outbox, instantBudgetMs } = ctx.cases;
    const p = ctx.principal;
    if (p.role === 'station_staff' && input.channel !== Channel.STATION) throw new CaseError('FORBIDDEN', 'station staff submit through the STATION channel');
    if (p.role === 'self_service') {
      if (input.channel !== Channel.SELF_SERVICE) throw new CaseError('FORBIDDEN', 'a terminal submits through the SELF_SERVICE channel');
      assertResident(ctx, input.applicantIdNumber.trim().toUpperCase());
    }
    const { caseNo, problems } = await service.submit(input, ctx.actor, evidenceLookup(ctx));
    if (caseNo) purposeIsTheCase(ctx, caseNo);
    if (!caseNo) return Object.assign(new SubmitCaseResult(), { case: null, problems, notices: [] });
    let c = (await service.get(caseNo))!;
    const notices: string[] = [];
    if (c.handlingMode === 'IMMEDIATE' && c.status === 'ACCEPTED') {
      // 即办: try to finish while the resident waits; a slow or absent department leaves it to the outbox.
      const done = await outbox.forwardNow(caseNo, instantBudgetMs);
      c = (await service.get(caseNo))!;
      if (!done || c.status !== 'COMPLETED') notices.push('The department did not finish this instant item in time: it will be forwarded automatically, and the result collected at the result window.');
    } else if (c.status === 'RECEIVED' && c.channel === 'STATION') notices.push('Received at the station: the centre accepts it and forwards it to the department.');
    return Object.assign(new SubmitCaseResult(), { case: toCase(c, ctx), problems: [], notices });
  }

  @Mutation(() => Case)
  async supplementMaterials(@Arg('caseNo', () => ID) caseNo: string, @Arg('materials', () => [MaterialInput]) materials: MaterialInput[], @Ctx() ctx: Context): Promise<Case> {
    return this.act(ctx, caseNo, () => ctx.cases.service.supplement(caseNo, materials, ctx.actor));
  }

  @Mutation(() => Case)
  async withdrawCase(@Arg('caseNo', () => ID) caseNo: string, @Arg('reason', () => String) reason: string, @Ctx() ctx: Context): Promise<Case> {
    return this.act(ctx, caseNo, () => ctx.cases.service.withdraw(caseNo, reason, ctx.actor));
  }

  @Mutation(() => Case, { description: '出件: the result window hands the result over.' })
  async deliverCase(@Arg('caseNo', () => ID) caseNo: string, @Ctx() ctx: Context): Promise<Case> {
    return this.act(ctx, caseNo, () => ctx.cases.service.deliver(caseNo, ctx.actor));
  }

  @Mutation(() => Case, { description: 'The centre takes over a case received at a community station.' })
  async acceptStationCase(@Arg('caseNo', () => ID) caseNo: string, @Ctx() ctx: Context): Promise<Case> {
    return this.act(ctx, caseNo, () => ctx.cases.service.acceptStationCase(caseNo, ctx.actor));
  }

  @Mutation(() => Case, { description: '补齐补正: the centre tells the applicant of a received case everything to bring or correct, at once; the clock stops until it is done.' })
  async requestCorrection(
    @Arg('caseNo', () => ID) caseNo: string,
    @Arg('gaps', () => [CorrectionGapInput]) gaps: CorrectionGapInput[],
    @Arg('withinWorkingDays', () => Int, { defaultValue: 5, description: 'Working days the applicant has; after them the case is returned (退件).' }) withinWorkingDays: number,
    @Ctx() ctx: Context,
  ): Promise<Case> {
    return this.act(ctx, caseNo, () => ctx.cases.service.requestCorrection(caseNo, gaps, withinWorkingDays, ctx.actor));
  }

  @Mutation(() => Case, { description: '不予受理: the centre declines a received case, saying why; the appeal notice goes with the decision. Final.' })
  async declineCase(@Arg('caseNo', () => ID) caseNo: string, @Arg('reason', () => String) reason: string, @Ctx() ctx: Context): Promise<Case> {
    return this.act(ctx, caseNo, () => ctx.cases.service.decline(caseNo, reason, ctx.cases.appealNotice, ctx.actor));
  }

  @Mutation(() => Case, { description: 'Administrators: send a FAILED forwarding again (its department was away longer than the outbox tries).' })
  async retryForwarding(@Arg('caseNo', () => ID) caseNo: string, @Ctx() ctx: Context): Promise<Case> {
    return this.act(ctx, caseNo, () => ctx.cases.service.retryForwarding(caseNo, ctx.actor));
  }

  @Mutation(() => Case)
  async evaluateCase(@Arg('caseNo', () => ID) caseNo: string, @Arg('rating', () => Rating) rating: Rating, @Arg('comment', () => String, { nullable: true }) comment: string | undefined, @Ctx() ctx: Context): Promise<Case> {
    return this.act(ctx, caseNo, () => ctx.cases.service.evaluate(caseNo, rating, comment ?? null, ctx.actor));
  }

  /**
   * A mutation on one case: the case exists and this principal may act on it (a station its own, a
   * kiosk its resident's); then the action; then the case as it is now.
   */
  private async act(ctx: Context, caseNo: string, action: () => Promise<void>): Promise<Case> {
    assertCaseVisible(ctx, await existing(ctx, caseNo));
    purposeIsTheCase(ctx, caseNo);
    await action();
    return toCase(await existing(ctx, caseNo), ctx);
  }

  @FieldResolver(() => ServiceItem)
  serviceItem(@Root() c: Case, @Ctx() ctx: Context): ServiceItem {
    const item = ctx.cases.service.catalogue.get(c.serviceItemCode);
    if (!item) throw new CaseError('NOT_FOUND', 'the service item of this case is no longer in the catalogue', { serviceItemCode: c.serviceItemCode });
    return toServiceItem(item, ctx);
  }

  @FieldResolver(() => Resident)
  applicant(@Root() c: Case, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Resident> {
    return residentOrStub(ctx, c.applicantIdNumber, info);
  }

  @FieldResolver(() => [SubmittedMaterial])
  async materials(@Root() c: Case, @Ctx() ctx: Context): Promise<SubmittedMaterial[]> {
    return (await ctx.caseLoaders.materials.load(c.caseNo)).map((m) => Object.assign(new SubmittedMaterial(), m, ctx.masked ? { reference: maskReference(m.reference, m.provenance) } : {}));
  }

  @FieldResolver(() => [MaterialRequirement], { description: 'Deferred (容缺) materials still to be supplied.' })
  missingMaterials(@Root() c: Case, @Ctx() ctx: Context): MaterialRequirement[] {
    const item = ctx.cases.service.catalogue.get(c.serviceItemCode);
    return (item?.materials ?? []).filter((m) => c.deferredMaterialCodes.includes(m.code)).map((m) => toMaterial(m, ctx));
  }

  @FieldResolver(() => CorrectionRequest, { nullable: true, description: 'While the case is CORRECTION_REQUESTED: the gaps still open and the deadline.' })
  correction(@Root() c: Case, @Ctx() ctx: Context): CorrectionRequest | null {
    if (c.status !== CaseStatus.CORRECTION_REQUESTED || !c.correctionGaps || !c.correctionDeadline) return null;
    const specs = new Map((ctx.cases.service.catalogue.get(c.serviceItemCode)?.materials ?? []).map((m) => [m.code, m]));
    const gaps = c.correctionGaps.flatMap((g) => {
      const spec = specs.get(g.materialCode);
      return spec ? [Object.assign(new CorrectionGap(), { material: toMaterial(spec, ctx), reason: g.reason })] : [];
    });
    return Object.assign(new CorrectionRequest(), { gaps, deadline: c.correctionDeadline });
  }

  @FieldResolver(() => ForwardingStatus)
  async forwarding(@Root() c: Case, @Ctx() ctx: Context): Promise<ForwardingStatus> {
    const row = await ctx.caseLoaders.forwarding.load(c.caseNo);
    if (!row) return Object.assign(new ForwardingStatus(), { state: ForwardingState.NOT_NEEDED, attempts: 0, lastError: null, nextAttemptAt: null });
    return Object.assign(new ForwardingStatus(), {
      state: row.state as ForwardingState,
      attempts: row.attempts,
      lastError: row.last_error,
      nextAttemptAt: row.state === 'PENDING' ? row.next_attempt_at : null,
    });
  }

  @FieldResolver(() => [CaseEvent])
  async events(@Root() c: Case, @Ctx() ctx: Context): Promise<CaseEvent[]> {
    return (await ctx.caseLoaders.events.load(c.caseNo)).map((e) =>
      Object.assign(new CaseEvent(), { at: e.at, type: e.type, fromStatus: e.from_status as CaseStatus | null, toStatus: e.to_status as CaseStatus | null, actor: e.actor, place: e.place, note: e.note }),
    );
  }
}

@Resolver(() => Resident)
export class ResidentCasesResolver {
  @FieldResolver(() => [Case], { description: "The resident's cases at this centre, newest first." })
  async cases(@Root() r: Resident, @Arg('status', () => [CaseStatus], { nullable: true }) status: CaseStatus[] | undefined, @Ctx() ctx: Context): Promise<Case[]> {
    const all = await ctx.caseLoaders.byApplicant.load(r.key);
    const p = ctx.principal;
    return all
      .filter((c) => !status?.length || status.includes(c.status as CaseStatus))
      .filter((c) => p.role !== 'station_staff' || c.station === p.station) // as the case query: a station sees its own
      .map((c) => toCase(c, ctx));
  }
}

