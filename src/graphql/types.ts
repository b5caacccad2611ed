import 'reflect-metadata';
/**
 * The public types of the sketch (../shared/design/schema-sketch.graphql), with exactly its names.
 * Every field has an explicit type function: tsc and the test transformer record different
 * metadata for enums and nullable fields, and explicit types keep both honest.
 */
import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ResidentRecord } from '../../adapters/contract.js';
import { maskIdNumber, maskName, maskPhone } from '../auth/mask.js';
import { DateScalar, DateTimeScalar, JSONScalar } from './scalars.js';

/**
 * Plain data fields resolve with graphql-js's default resolver (`simpleResolvers`): type-graphql's
 * wrapper per field cost ~10% of a warm request. It also skips middlewares, so a field that needs
 * @Authorized or a middleware must say `simple: false`.
 */
const data = { simpleResolvers: true } as const;

export enum Gender {
  MALE = 'MALE',
  FEMALE = 'FEMALE',
}
export enum EntitlementStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
  ENDED = 'ENDED',
  PENDING = 'PENDING',
}
export enum SourceState {
  FRESH = 'FRESH',
  CACHED = 'CACHED',
  STALE = 'STALE',
  UNAVAILABLE = 'UNAVAILABLE',
  NOT_APPLICABLE = 'NOT_APPLICABLE',
}
export enum DepartmentStatus {
  UP = 'UP',
  DEGRADED = 'DEGRADED',
  DOWN = 'DOWN',
}
registerEnumType(Gender, { name: 'Gender' });
registerEnumType(EntitlementStatus, { name: 'EntitlementStatus' });
registerEnumType(SourceState, { name: 'SourceState', description: 'FRESH: fetched for this request. CACHED: from the cache within its TTL. STALE: an expired cache entry, served because the department failed. UNAVAILABLE: the department failed and nothing cached. NOT_APPLICABLE: the department holds nothing of this kind.' });
registerEnumType(DepartmentStatus, { name: 'DepartmentStatus' });

@ObjectType({ ...data, description: 'A department system behind the hub.' })
export class Department {
  @Field(() => ID) code!: string;
  @Field(() => String) name!: string;
  @Field(() => [String], { description: 'Read capabilities this department serves (residents, entitlements, paymentRecords…).' }) capabilities!: string[];
  @Field(() => DepartmentStatus, { description: 'DOWN after consecutive failed calls; DEGRADED for a minute after any failure.' }) status!: DepartmentStatus;
  @Field(() => Int) serviceItemCount!: number;
}

@ObjectType(data)
export class Entitlement {
  @Field(() => ID, { description: 'Stable, opaque; does not reveal the resident.' }) id!: string;
  @Field(() => Department) department!: Department;
  @Field(() => String, { description: 'A stable code, e.g. LOW_INCOME_ALLOWANCE.' }) kind!: string;
  @Field(() => String) name!: string;
  @Field(() => EntitlementStatus) status!: EntitlementStatus;
  @Field(() => Float, { nullable: true, description: 'Yuan per month.' }) monthlyAmount?: number | null;
  @Field(() => DateScalar, { nullable: true }) startDate?: string | null;
  @Field(() => DateScalar, { nullable: true }) endDate?: string | null;
  @Field(() => JSONScalar, { nullable: true }) details?: Record<string, unknown> | null;
}

@ObjectType(data)
export class SocialInsuranceAccount {
  @Field(() => String) personNo!: string;
  @Field(() => String) status!: string;
  @Field(() => [String]) insuranceTypes!: string[];
  @Field(() => DateScalar, { nullable: true }) firstPaidOn?: string | null;
  @Field(() => Int) monthsPaid!: number;
}

@ObjectType(data)
export class PaymentRecord {
  @Field(() => String, { description: 'YYYY-MM' }) month!: string;
  @Field(() => String) insuranceType!: string;
  @Field(() => Float) base!: number;
  @Field(() => Float) personalAmount!: number;
  @Field(() => Float) employerAmount!: number;
  @Field(() => Boolean) paid!: boolean;
}

@ObjectType(data)
export class MedicalInsuranceEnrollment {
  @Field(() => String) scheme!: string;
  @Field(() => String) status!: string;
  @Field(() => DateScalar, { nullable: true }) enrolledOn?: string | null;
}

@ObjectType(data)
export class Hospital {
  @Field(() => ID) code!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) level?: string | null;
  @Field(() => String, { nullable: true }) address?: string | null;
}

@ObjectType(data)
export class DisabilityCertificate {
  @Field(() => String) certificateNo!: string;
  @Field(() => String) category!: string;
  @Field(() => Int) grade!: number;
  @Field(() => DateScalar, { nullable: true }) validUntil?: string | null;
}

@ObjectType(data)
export class SourceStatus {
  @Field(() => Department) department!: Department;
  @Field(() => SourceState) state!: SourceState;
  @Field(() => DateTimeScalar, { nullable: true }) fetchedAt?: Date | null;
  @Field(() => String, { nullable: true, description: 'Why the department is unavailable; never personal data.' }) error?: string | null;
}

@Directive('@key(fields: "idNumber")')
@ObjectType({ ...data, description: 'A resident as the population registry knows them, with what every department holds.' })
export class Resident {
  @Field(() => ID) idNumber!: string;
  @Field(() => String) name!: string;
  @Field(() => Gender) gender!: Gender;
  @Field(() => DateScalar) birthDate!: string;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => String, { nullable: true }) address?: string | null;
  @Field(() => String, { nullable: true }) community?: string | null;
  @Field(() => String, { nullable: true }) householdNo?: string | null;
  /** Not in the schema: the real ID number and birth date, for loads and age, whatever the fields show. */
  key!: string;
  born!: string;

  /**
   * `masked` (analysts, always): ID number 6+4, name surname + *, phone 3+4, birth date to the
   * year, no address or household number — applied here, before anything leaves the hub.
   */
  static from(r: ResidentRecord, masked: boolean): Resident {
    return Object.assign(new Resident(), {
      key: r.idNumber,
      born: r.birthDate,
      idNumber: masked ? maskIdNumber(r.idNumber) : r.idNumber,
      name: masked ? maskName(r.name) : r.name,
      gender: r.gender as Gender,
      birthDate: masked ? `${r.birthDate.slice(0, 4)}-01-01` : r.birthDate,
      phone: masked ? maskPhone(r.phone) : (r.phone ?? null),
      address: masked ? null : (r.address ?? null),
      community: r.community ?? null,
      householdNo: masked ? null : (r.householdNo ?? null),
    });
  }
}
