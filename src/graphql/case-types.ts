/**
 * Catalogue and case types of the sketch, with exactly its names.
 */
import 'reflect-metadata';
import { Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateScalar, DateTimeScalar, JSONScalar } from './scalars.js';
import { Department, Resident } from './types.js';

export enum HandlingMode { IMMEDIATE = 'IMMEDIATE', PROMISED = 'PROMISED' }
export enum Channel { WINDOW = 'WINDOW', STATION = 'STATION', SELF_SERVICE = 'SELF_SERVICE', ONLINE = 'ONLINE' }
export enum MaterialForm { ORIGINAL = 'ORIGINAL', COPY = 'COPY', ELECTRONIC = 'ELECTRONIC' }
export enum CaseStatus {
  RECEIVED = 'RECEIVED', ACCEPTED = 'ACCEPTED', ACCEPTED_WITH_DEFICIENCY = 'ACCEPTED_WITH_DEFICIENCY', CORRECTION_REQUESTED = 'CORRECTION_REQUESTED',
  NOT_ACCEPTED = 'NOT_ACCEPTED', FORWARDED = 'FORWARDED', IN_REVIEW = 'IN_REVIEW', SUSPENDED = 'SUSPENDED', COMPLETED = 'COMPLETED',
  RESULT_READY = 'RESULT_READY', DELIVERED = 'DELIVERED', RETURNED = 'RETURNED', WITHDRAWN = 'WITHDRAWN',
}
export enum CaseOutcome { APPROVED = 'APPROVED', REJECTED = 'REJECTED' }
export enum Provenance { ISSUER_ELECTRONIC = 'ISSUER_ELECTRONIC', WINDOW_VERIFIED = 'WINDOW_VERIFIED', APPLICANT_UPLOADED = 'APPLICANT_UPLOADED', SELF_DECLARED = 'SELF_DECLARED', SHARED_DATA = 'SHARED_DATA' }
export enum ForwardingState { NOT_NEEDED = 'NOT_NEEDED', PENDING = 'PENDING', SENT = 'SENT', ACKNOWLEDGED = 'ACKNOWLEDGED', FAILED = 'FAILED' }
export enum Rating { VERY_SATISFIED = 'VERY_SATISFIED', SATISFIED = 'SATISFIED', BASICALLY_SATISFIED = 'BASICALLY_SATISFIED', DISSATISFIED = 'DISSATISFIED', VERY_DISSATISFIED = 'VERY_DISSATISFIED' }
export enum CaseDimension { SERVICE_ITEM = 'SERVICE_ITEM', DEPARTMENT = 'DEPARTMENT', CHANNEL = 'CHANNEL', WINDOW = 'WINDOW', STATION = 'STATION', STATUS = 'STATUS', DAY = 'DAY', MONTH = 'MONTH' }

registerEnumType(HandlingMode, { name: 'HandlingMode', description: 'IMMEDIATE 即办件; PROMISED 承诺件.' });
registerEnumType(Channel, { name: 'Channel' });
registerEnumType(MaterialForm, { name: 'MaterialForm' });
registerEnumType(CaseStatus, { name: 'CaseStatus' });
registerEnumType(CaseOutcome, { name: 'CaseOutcome' });
registerEnumType(Provenance, { name: 'Provenance', description: 'Evidence trust (国办函〔2016〕108号): A issuer electronic, B window verified, C applicant uploaded, D self-declared; and data shared by a department.' });
registerEnumType(ForwardingState, { name: 'ForwardingState' });
registerEnumType(Rating, { name: 'Rating' });
registerEnumType(CaseDimension, { name: 'CaseDimension' });

const data = { simpleResolvers: true } as const;

@ObjectType(data)
export class MaterialRequirement {
  @Field(() => ID) code!: string;
  @Field(() => String) name!: string;
  @Field(() => MaterialForm) form!: MaterialForm;
  @Field(() => Int, { description: 'How many copies to hand in.' }) copies!: number;
  @Field(() => Boolean) required!: boolean;
  @Field(() => Boolean, { description: '容缺: may be supplied after acceptance against a signed commitment.' }) deferrable!: boolean;
  @Field(() => Department, { nullable: true, description: 'The department that can supply or vouch for this material instead of the resident, if any.' }) sharedBy?: Department | null;
}

@Directive('@key(fields: "code")')
@ObjectType(data)
export class ServiceItem {
  @Field(() => ID) code!: string;
  @Field(() => String) name!: string;
  @Field(() => Department) department!: Department;
  @Field(() => String) itemType!: string;
  @Field(() => HandlingMode) handlingMode!: HandlingMode;
  @Field(() => Int, { description: '0 for IMMEDIATE.' }) promisedWorkingDays!: number;
  @Field(() => Int, { nullable: true }) legalWorkingDays?: number | null;
  @Field(() => Int) maxVisits!: number;
  @Field(() => [Channel]) channels!: Channel[];
  @Field(() => Float, { description: 'Yuan.' }) fee!: number;
  @Field(() => [MaterialRequirement]) materials!: MaterialRequirement[];
  @Field(() => Boolean, { description: 'True for the sample catalogue shipped for development.' }) sample!: boolean;
}

@ObjectType(data)
export class SharedMaterial {
  @Field(() => MaterialRequirement) material!: MaterialRequirement;
  @Field(() => Department) department!: Department;
  @Field(() => String, { nullable: true }) reference?: string | null;
  @Field(() => DateScalar, { nullable: true }) validUntil?: string | null;
}

@ObjectType(data)
export class MaterialChecklist {
  @Field(() => ServiceItem) serviceItem!: ServiceItem;
  @Field(() => Resident) resident!: Resident;
  @Field(() => [MaterialRequirement], { description: 'What the resident still has to bring.' }) toBring!: MaterialRequirement[];
  @Field(() => [SharedMaterial], { description: 'What the hub obtained from departments, so the resident need not bring it.' }) obtainedBySharing!: SharedMaterial[];
  @Field(() => [String], { description: 'Departments that could not be asked just now: what they would vouch for is listed under toBring.' }) unavailableDepartments!: string[];
}

@InputType()
export class MaterialInput {
  @Field(() => ID) code!: string;
  @Field(() => String) reference!: string;
  @Field(() => MaterialForm) form!: MaterialForm;
  @Field(() => String, { nullable: true }) sha256?: string | null;
}

@InputType()
export class SubmitCaseInput {
  @Field(() => String, { description: 'Client-chosen; the same key twice returns the same case and creates nothing new.' }) idempotencyKey!: string;
  @Field(() => ID) serviceItemCode!: string;
  @Field(() => ID) applicantIdNumber!: string;
  @Field(() => Channel) channel!: Channel;
  @Field(() => [MaterialInput]) materials!: MaterialInput[];
  @Field(() => [ID], { nullable: true, description: '容缺: accept with these deferrable materials missing, against a signed commitment.' }) deferredMaterialCodes?: string[] | null;
  @Field(() => JSONScalar, { nullable: true }) formData?: Record<string, unknown> | null;
}

@ObjectType(data)
export class CaseProblem {
  @Field(() => String) code!: string;
  @Field(() => String) message!: string;
  @Field(() => ID, { nullable: true }) materialCode?: string | null;
}

@ObjectType(data)
export class SubmittedMaterial {
  @Field(() => ID) code!: string;
  @Field(() => String) reference!: string;
  @Field(() => MaterialForm) form!: MaterialForm;
  @Field(() => Provenance) provenance!: Provenance;
}

@ObjectType(data)
export class ForwardingStatus {
  @Field(() => ForwardingState) state!: ForwardingState;
  @Field(() => Int) attempts!: number;
  @Field(() => String, { nullable: true }) lastError?: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) nextAttemptAt?: Date | null;
}

@ObjectType(data)
export class CaseEvent {
  @Field(() => DateTimeScalar) at!: Date;
  @Field(() => String) type!: string;
  @Field(() => CaseStatus, { nullable: true }) fromStatus?: CaseStatus | null;
  @Field(() => CaseStatus, { nullable: true }) toStatus?: CaseStatus | null;
  @Field(() => String) actor!: string;
  @Field(() => String, { nullable: true, description: 'window:<code> or station:<code>' }) place?: string | null;
  @Field(() => String, { nullable: true }) note?: string | null;
}

@Directive('@key(fields: "caseNo")')
@ObjectType(data)
export class Case {
  @Field(() => ID) caseNo!: string;
  @Field(() => Channel) channel!: Channel;
  @Field(() => CaseStatus) status!: CaseStatus;
  @Field(() => CaseOutcome, { nullable: true }) outcome?: CaseOutcome | null;
  @Field(() => DateTimeScalar) receivedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) acceptedAt?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'End of the promised working day; moves out while the clock is paused.' }) promisedBy?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) completedAt?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) deliveredAt?: Date | null;
  @Field(() => String, { nullable: true }) window?: string | null;
  @Field(() => String, { nullable: true }) station?: string | null;
  @Field(() => String, { nullable: true }) departmentRef?: string | null;
  @Field(() => Rating, { nullable: true }) rating?: Rating | null;
  @Field(() => String, { nullable: true, description: '不予受理: why the case was not accepted.' }) notAcceptedReason?: string | null;
  @Field(() => String, { nullable: true, description: '不予受理: the appeal notice (行政复议 / 行政诉讼) given with the decision.' }) appealNotice?: string | null;
  /** Not in the schema: the resolvers' way back to the row. */
  serviceItemCode!: string;
  applicantIdNumber!: string;
  deferredMaterialCodes!: string[];
  correctionGaps!: { materialCode: string; reason: string }[] | null;
  correctionDeadline!: Date | null;
}

@ObjectType(data)
export class CorrectionGap {
  @Field(() => MaterialRequirement) material!: MaterialRequirement;
  @Field(() => String, { description: 'What is missing or wrong, in words the applicant can act on.' }) reason!: string;
}

@ObjectType({ ...data, description: '补齐补正: everything the applicant must bring or correct, told at once.' })
export class CorrectionRequest {
  @Field(() => [CorrectionGap], { description: 'The gaps still open.' }) gaps!: CorrectionGap[];
  @Field(() => DateTimeScalar, { description: 'End of the last working day to correct them; after it the case is returned (退件).' }) deadline!: Date;
}

@InputType()
export class CorrectionGapInput {
  @Field(() => ID) materialCode!: string;
  @Field(() => String) reason!: string;
}

@ObjectType(data)
export class SubmitCaseResult {
  @Field(() => Case, { nullable: true }) case?: Case | null;
  @Field(() => [CaseProblem], { description: 'When the case could not be received: everything that is missing or wrong, told at once.' }) problems!: CaseProblem[];
  @Field(() => [String], { description: 'What the clerk should tell the resident, e.g. that an instant item will be finished later because its department is slow.' }) notices!: string[];
}

@InputType()
export class CaseFilter {
  @Field(() => [CaseStatus], { nullable: true }) status?: CaseStatus[] | null;
  @Field(() => ID, { nullable: true }) serviceItemCode?: string | null;
  @Field(() => ID, { nullable: true }) department?: string | null;
  @Field(() => Channel, { nullable: true }) channel?: Channel | null;
  @Field(() => String, { nullable: true }) window?: string | null;
  @Field(() => String, { nullable: true }) station?: string | null;
  @Field(() => ID, { nullable: true }) applicantIdNumber?: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) receivedFrom?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) receivedTo?: Date | null;
  @Field(() => Boolean, { nullable: true }) overdue?: boolean | null;
  @Field(() => ForwardingState, { nullable: true, description: 'e.g. FAILED: cases an administrator may send again (retryForwarding).' }) forwardingState?: ForwardingState | null;
}

@ObjectType(data)
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor?: string | null;
}

@ObjectType(data)
export class CaseEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Case) node!: Case;
}

@ObjectType(data)
export class CaseConnection {
  @Field(() => [CaseEdge]) edges!: CaseEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType(data)
export class CaseStatsBucket {
  @Field(() => JSONScalar, { description: 'The dimension values of this bucket.' }) key!: Record<string, unknown>;
  @Field(() => Int) count!: number;
  @Field(() => Int) completedCount!: number;
  @Field(() => Float, { nullable: true, description: 'Completed in one visit / completed.' }) oneVisitRate?: number | null;
  @Field(() => Float, { nullable: true, description: 'Completed by promisedBy / completed.' }) onTimeRate?: number | null;
  @Field(() => Float, { nullable: true, description: 'Working days from acceptance to completion, on average.' }) averageWorkingDays?: number | null;
}
