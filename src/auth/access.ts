/**
 * Who may call what. Default deny by construction: a root field that is not in ACCESS is refused
 * for everybody. Checked once per operation, before anything resolves; bindings that depend on
 * the data (a kiosk's own resident, a station's own cases) are checked where the data is known
 * (see `assertResident`, `assertCaseVisible`). The matrix is documented in docs/ACCESS.md and
 * tested role by role in test/e2e/access.e2e.ts.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import type { Context } from '../graphql/context.js';
import { selectedFieldNames } from '../graphql/selection.js';
import type { Role } from './principal.js';

const ALL: readonly Role[] = ['window_clerk', 'result_clerk', 'station_staff', 'self_service', 'analyst', 'department', 'admin'];
const PEOPLE: readonly Role[] = ['window_clerk', 'result_clerk', 'station_staff', 'self_service', 'analyst', 'admin'];

export const ACCESS: Record<string, readonly Role[]> = {
  // Query
  resident: PEOPLE,
  residents: PEOPLE,
  _entities: PEOPLE,
  materialChecklist: ['window_clerk', 'station_staff', 'self_service', 'admin'],
  serviceItems: ALL,
  serviceItem: ALL,
  departments: ALL,
  case: ['window_clerk', 'result_clerk', 'station_staff', 'self_service', 'department', 'analyst', 'admin'],
  cases: ['window_clerk', 'result_clerk', 'station_staff', 'department', 'analyst', 'admin'],
  caseStats: ['analyst', 'admin'],
  _service: ['admin'],
  unmaskGrants: ['admin'],
  // Mutation
  grantUnmasking: ['admin'],
  revokeUnmasking: ['admin'],
  submitCase: ['window_clerk', 'station_staff', 'self_service', 'admin'],
  supplementMaterials: ['window_clerk', 'station_staff', 'admin'],
  withdrawCase: ['window_clerk', 'station_staff', 'admin'],
  acceptStationCase: ['window_clerk', 'admin'],
  requestCorrection: ['window_clerk', 'admin'],
  declineCase: ['window_clerk', 'admin'],
  retryForwarding: ['admin'],
  deliverCase: ['window_clerk', 'result_clerk', 'admin'],
  evaluateCase: ['window_clerk', 'result_clerk', 'station_staff', 'self_service', 'admin'],
};

/**
 * Resident fields a role has no need for (minimum necessary, PIPL art. 6): the result window hands
 * results over and needs no benefits or health data; a kiosk shows its resident's payment records,
 * designated hospitals and own cases (办件进度查询), nothing more sensitive; department staff see a
 * case's applicant, not what the other departments hold.
 */
export const RESIDENT_FIELDS_DENIED: Partial<Record<Role, ReadonlySet<string>>> = {
  result_clerk: new Set(['entitlements', 'socialInsurance', 'paymentRecords', 'medicalInsurance', 'designatedHospitals', 'disabilityCertificate']),
  self_service: new Set(['entitlements', 'socialInsurance', 'medicalInsurance', 'disabilityCertificate', 'phone', 'address', 'householdNo']),
  // Department staff reach a resident only as the applicant of their own department's case: who
  // applied and how to reach them; what other departments hold is not theirs to read here.
  department: new Set(['entitlements', 'socialInsurance', 'paymentRecords', 'medicalInsurance', 'designatedHospitals', 'disabilityCertificate', 'cases']),
};

/** Case fields a kiosk has no need for: who handled each step, and the forwarding's internals. */
export const CASE_FIELDS_DENIED: Partial<Record<Role, ReadonlySet<string>>> = {
  self_service: new Set(['events', 'forwarding']),
};

/** Operations that read personal data without naming a case: they need a stated purpose (X-Purpose). */
export const NEEDS_PURPOSE: ReadonlySet<string> = new Set(['resident', 'residents', '_entities', 'materialChecklist', 'cases']);

const forbidden = (message: string, code = 'FORBIDDEN') => new GraphQLError(message, { extensions: { code, http: { status: 403 } } });

export function accessPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue: ctx, document, schema }) {
          const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [])));
          const roots = selectedFieldNames([operation?.selectionSet], (name) => fragments.get(name));
          const denied: Record<string, ReadonlySet<string> | undefined> = { Resident: RESIDENT_FIELDS_DENIED[ctx.principal.role], Case: CASE_FIELDS_DENIED[ctx.principal.role] };
          if (denied.Resident || denied.Case) {
            const typeInfo = new TypeInfo(schema);
            visit(document, visitWithTypeInfo(typeInfo, {
              Field(node) {
                const type = typeInfo.getParentType()?.name;
                if (type && denied[type]?.has(node.name.value)) throw forbidden(`the role ${ctx.principal.role} may not read ${type}.${node.name.value}`);
              },
            }));
          }
          for (const field of roots) {
            if (field.startsWith('__')) continue; // introspection: switched on or off for the whole server
            const allowed = ACCESS[field];
            if (!allowed || !allowed.includes(ctx.principal.role)) throw forbidden(`the role ${ctx.principal.role} may not use ${field}`);
            if (NEEDS_PURPOSE.has(field) && ctx.purpose.startsWith('unspecified')) throw forbidden(`${field} reads personal data: say why in the X-Purpose header`, 'PURPOSE_REQUIRED');
          }
        },
      };
    },
  };
}

/** A kiosk sees only the resident whose card was read. */
export function assertResident(ctx: Context, idNumber: string): void {
  if (ctx.principal.role === 'self_service' && ctx.principal.resident !== idNumber) throw forbidden('this terminal may only show the resident whose card was read');
}

/** Station staff see their station's cases, department staff their department's. */
export function assertCaseVisible(ctx: Context, c: { station: string | null; department: string; applicantIdNumber: string }): void {
  const p = ctx.principal;
  if (p.role === 'station_staff' && c.station !== p.station) throw forbidden('this case was not received at your station');
  if (p.role === 'department' && c.department !== p.department) throw forbidden('this case belongs to another department');
  if (p.role === 'self_service' && c.applicantIdNumber !== p.resident) throw forbidden('this terminal may only show the resident whose card was read');
}
