/**
 * Who may see what: tokens, the role × operation matrix, purpose, masking, bindings.
 */
import { SignJWT, generateKeyPair, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenClaims } from '../../src/auth/dev-issuer.js';
import type { Role } from '../../src/auth/principal.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startHub } from '../../src/server.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

describe('authentication, roles, purpose and masking', () => {
  let t: TestHub;
  let person: TestHub['sims']['world']['people'][number];
  beforeAll(async () => {
    t = await startTestHub();
    person = t.sims.world.people.find((p) => p.disability && p.socialInsurance && p.phone)!;
  });
  afterAll(() => t?.close());

  const raw = (token: string | null, query = '{ departments { code } }') =>
    fetch(t.hub.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) }, body: JSON.stringify({ query }) });

  it('refuses bad tokens with 401, no stack trace and no hint of the key', async () => {
    const other = await generateKeyPair('ES256');
    const sign = (f: (j: SignJWT) => SignJWT, key: CryptoKey = other.privateKey as CryptoKey) => f(new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'ES256' }).setSubject('x')).sign(key);
    const valid = await t.token({ role: 'admin' });
    const now = Math.floor(Date.now() / 1000);
    // signed by the right key, wrong in one claim each
    const mint = (adjust: (j: SignJWT) => SignJWT) => t.hub.devIssuer!.mint({ role: 'admin' }, '1h', adjust);
    const [header, payload, signature] = valid.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin', sub: 'someone-else' })).toString('base64url')}.${signature}`;
    const bad: [string, string | null][] = [
      ['none', null],
      ['malformed', 'not.a.jwt'],
      ['garbage', 'x'.repeat(40)],
      ['alg none', new UnsecuredJWT({ role: 'admin', sub: 'x' }).setIssuer('owh-dev-issuer').setAudience('one-window-hub').setExpirationTime('1h').encode()],
      ['another key', await sign((j) => j.setIssuer('owh-dev-issuer').setAudience('one-window-hub').setExpirationTime('1h'))],
      ['expired', await mint((j) => j.setIssuedAt(now - 7200).setExpirationTime(now - 3600))],
      ['not yet valid', await mint((j) => j.setNotBefore(now + 3600))],
      ['wrong issuer', await mint((j) => j.setIssuer('someone-else'))],
      ['wrong audience', await mint((j) => j.setAudience('another-api'))],
      ['tampered payload', tampered],
      ['unknown role', await t.token({ role: 'superuser' as Role })],
      ['station without station', await t.token({ role: 'station_staff' })],
    ];
    for (const [what, token] of bad) {
      const res = await raw(token);
      const text = await res.text();
      expect([what, res.status]).toEqual([what, 401]);
      expect(JSON.parse(text).errors[0]).toEqual({ message: 'authentication required: a valid bearer token', extensions: { code: 'UNAUTHENTICATED' } });
      expect(text).not.toMatch(/stack|JWS|JWT|kid|signature|at \w+ \(/i);
    }
    expect((await raw(valid)).status).toBe(200);
  });

  // What each role may call: the documented matrix (docs/ACCESS.md), asserted operation by operation.
  const PEOPLE: Role[] = ['window_clerk', 'result_clerk', 'station_staff', 'self_service', 'analyst', 'admin'];
  const EVERYONE: Role[] = [...PEOPLE, 'department'];
  const MATRIX: Record<string, Role[]> = {
    resident: PEOPLE,
    residents: PEOPLE,
    _entities: PEOPLE,
    serviceItem: EVERYONE,
    departments: EVERYONE,
    case: ['window_clerk', 'result_clerk', 'station_staff', 'self_service', 'department', 'analyst', 'admin'],
    submitCase: ['window_clerk', 'station_staff', 'self_service', 'admin'],
    supplementMaterials: ['window_clerk', 'station_staff', 'admin'],
    evaluateCase: ['window_clerk', 'result_clerk', 'station_staff', 'self_service', 'admin'],
    _service: ['admin'],
    grantUnmasking: ['admin'],
    revokeUnmasking: ['admin'],
    unmaskGrants: ['admin'],
    materialChecklist: ['window_clerk', 'station_staff', 'self_service', 'admin'],
    serviceItems: ['window_clerk', 'result_clerk', 'station_staff', 'self_service', 'analyst', 'department', 'admin'],
    cases: ['window_clerk', 'result_clerk', 'station_staff', 'department', 'analyst', 'admin'],
    caseStats: ['analyst', 'admin'],
    deliverCase: ['window_clerk', 'result_clerk', 'admin'],
    acceptStationCase: ['window_clerk', 'admin'],
    requestCorrection: ['window_clerk', 'admin'],
    declineCase: ['window_clerk', 'admin'],
    retryForwarding: ['admin'],
    withdrawCase: ['window_clerk', 'station_staff', 'admin'],
  };
  const ROLE_CLAIMS = (): Record<Role, TokenClaims> => ({
    window_clerk: { role: 'window_clerk', window: 'W1' },
    result_clerk: { role: 'result_clerk', window: 'R1' },
    station_staff: { role: 'station_staff', station: 'JW-03' },
    self_service: { role: 'self_service', resident: person.idNumber },
    analyst: { role: 'analyst' },
    department: { role: 'department', department: 'civil-affairs' },
    admin: { role: 'admin' },
  });
  const CHANNEL: Partial<Record<Role, string>> = { station_staff: 'STATION', self_service: 'SELF_SERVICE' };
  const OPS = (role: Role = 'admin'): Record<string, string> => ({
    resident: `{ resident(idNumber: "${person.idNumber}") { name } }`,
    residents: `{ residents(idNumbers: ["${person.idNumber}"]) { name } }`,
    _entities: `{ _entities(representations: [{ __typename: "Resident", idNumber: "${person.idNumber}" }]) { ... on Resident { name } } }`,
    serviceItem: `{ serviceItem(code: "MI-0001") { name } }`,
    departments: `{ departments { code } }`,
    case: `{ case(caseNo: "OW-none") { status } }`,
    submitCase: `mutation { submitCase(input: { idempotencyKey: "matrix-key-0001", serviceItemCode: "NOPE", applicantIdNumber: "${person.idNumber}", channel: ${CHANNEL[role] ?? 'WINDOW'}, materials: [] }) { problems { code } } }`, // each role through its own channel
    supplementMaterials: `mutation { supplementMaterials(caseNo: "OW-none", materials: [{ code: "X", reference: "r", form: COPY }]) { status } }`,
    evaluateCase: `mutation { evaluateCase(caseNo: "OW-none", rating: SATISFIED) { status } }`,
    _service: `{ _service { sdl } }`,
    grantUnmasking: `mutation { grantUnmasking(subject: "x", reason: "matrix test reason", hours: 1) { id } }`,
    revokeUnmasking: `mutation { revokeUnmasking(id: "ug_none") { id } }`,
    unmaskGrants: `{ unmaskGrants { id } }`,
    materialChecklist: `{ materialChecklist(serviceItemCode: "MI-0001", idNumber: "${person.idNumber}") { toBring { code } } }`,
    serviceItems: `{ serviceItems { code } }`,
    cases: `{ cases(first: 1) { totalCount } }`,
    caseStats: `{ caseStats(groupBy: [STATUS]) { count } }`,
    deliverCase: `mutation { deliverCase(caseNo: "OW-none") { status } }`,
    acceptStationCase: `mutation { acceptStationCase(caseNo: "OW-none") { status } }`,
    withdrawCase: `mutation { withdrawCase(caseNo: "OW-none", reason: "r") { status } }`,
    requestCorrection: `mutation { requestCorrection(caseNo: "OW-none", gaps: [{ materialCode: "X", reason: "r" }]) { status } }`,
    declineCase: `mutation { declineCase(caseNo: "OW-none", reason: "r") { status } }`,
    retryForwarding: `mutation { retryForwarding(caseNo: "OW-none") { status } }`,
  });

  it('enforces the role × operation matrix, default deny', async () => {
    const claims = ROLE_CLAIMS();
    for (const [op, allowed] of Object.entries(MATRIX)) {
      for (const role of Object.keys(claims) as Role[]) {
        const { body } = await t.gql(OPS(role)[op]!, undefined, { authorization: `Bearer ${await t.token(claims[role])}` });
        const code = body.errors?.[0]?.extensions?.code;
        if (allowed.includes(role)) expect([op, role, code]).not.toEqual([op, role, 'FORBIDDEN']);
        else expect([op, role, code]).toEqual([op, role, 'FORBIDDEN']);
      }
    }
    // nothing outside the matrix: the federation SDL is for administrators only
    const sdl = await t.gql(`{ _service { sdl } }`, undefined, { authorization: `Bearer ${await t.token(claims.window_clerk)}` });
    expect(sdl.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('personal data needs a purpose', async () => {
    const { body } = await t.gql(OPS().resident, undefined, { 'x-purpose': '' });
    expect(body.errors[0].extensions.code).toBe('PURPOSE_REQUIRED');
    expect(body.errors[0].message).toMatch(/X-Purpose/);
  });

  it('analysts see personal data masked: ID 6+4, name surname + *, phone 3+4, certificate too', async () => {
    const { body } = await t.gql(`query($id: ID!) { resident(idNumber: $id) { idNumber name phone address birthDate age disabilityCertificate { certificateNo } socialInsurance { personNo } } }`, { id: person.idNumber }, { authorization: `Bearer ${await t.token({ role: 'analyst' })}` });
    const r = body.data.resident;
    expect(r.idNumber).toBe(`${person.idNumber.slice(0, 6)}********${person.idNumber.slice(14)}`);
    expect(r.name).toBe(`${[...person.name][0]}*`);
    expect(r.phone).toBe(`${person.phone!.slice(0, 3)}****${person.phone!.slice(-4)}`);
    expect(r.address).toBeNull();
    expect(r.birthDate).toBe(`${person.birthDate.slice(0, 4)}-01-01`);
    expect(Math.abs(r.age - person.age)).toBeLessThanOrEqual(1); // the age comes from the real birth date (the world's reference day is 1 Nov)
    expect(r.disabilityCertificate.certificateNo).not.toContain(person.idNumber);
    expect(r.socialInsurance.personNo).not.toBe(person.socialInsurance!.personNo);
    expect(JSON.stringify(body)).not.toContain(person.idNumber);
    expect(JSON.stringify(body)).not.toContain(person.name);
    const clerk = await t.gql(`query($id: ID!) { resident(idNumber: $id) { idNumber name } }`, { id: person.idNumber }, { authorization: `Bearer ${await t.token({ role: 'window_clerk', window: 'W1' })}` });
    expect(clerk.body.data.resident).toEqual({ idNumber: person.idNumber, name: person.name });
  });

  // Sensitive resident fields × roles: allowed (A), masked identity around them (M), refused (R).
  const FIELDS: Record<string, Partial<Record<Role, 'A' | 'M' | 'R'>>> = {
    'entitlements { kind }': { window_clerk: 'A', result_clerk: 'R', station_staff: 'A', self_service: 'R', analyst: 'M', admin: 'A' },
    'disabilityCertificate { grade }': { window_clerk: 'A', result_clerk: 'R', station_staff: 'A', self_service: 'R', analyst: 'M', admin: 'A' },
    'medicalInsurance { scheme }': { window_clerk: 'A', result_clerk: 'R', station_staff: 'A', self_service: 'R', analyst: 'M', admin: 'A' },
    'designatedHospitals { name }': { window_clerk: 'A', result_clerk: 'R', station_staff: 'A', self_service: 'A', analyst: 'M', admin: 'A' },
    'paymentRecords { month }': { window_clerk: 'A', result_clerk: 'R', station_staff: 'A', self_service: 'A', analyst: 'M', admin: 'A' },
    'phone': { window_clerk: 'A', result_clerk: 'A', station_staff: 'A', self_service: 'R', analyst: 'M', admin: 'A' },
  };

  it('enforces the sensitive-field matrix: allowed, masked or refused, role by role', async () => {
    const claims = ROLE_CLAIMS();
    for (const [field, byRole] of Object.entries(FIELDS)) {
      for (const [role, expected] of Object.entries(byRole) as [Role, 'A' | 'M' | 'R'][]) {
        const { body } = await t.gql(`query($id: ID!) { resident(idNumber: $id) { idNumber ${field} } }`, { id: person.idNumber }, { authorization: `Bearer ${await t.token(claims[role])}` });
        const got = body.errors?.[0]?.extensions?.code === 'FORBIDDEN' ? 'R' : body.data?.resident?.idNumber === person.idNumber ? 'A' : body.data?.resident?.idNumber?.includes('********') ? 'M' : `? ${JSON.stringify(body).slice(0, 120)}`;
        expect(`${field} / ${role}: ${got}`).toBe(`${field} / ${role}: ${expected}`);
      }
    }
  });

  it('roles without the need cannot read sensitive resident fields', async () => {
    const q = (field: string) => `query($id: ID!) { resident(idNumber: $id) { name ${field} } }`;
    const kiosk = { authorization: `Bearer ${await t.token({ role: 'self_service', resident: person.idNumber })}` };
    expect((await t.gql(q('paymentRecords { month } designatedHospitals { name address }'), { id: person.idNumber }, kiosk)).body.errors).toBeUndefined();
    for (const field of ['entitlements { kind }', 'disabilityCertificate { grade }', 'medicalInsurance { scheme }', 'phone']) {
      const { body } = await t.gql(q(field), { id: person.idNumber }, kiosk);
      expect([field, body.errors?.[0]?.extensions?.code]).toEqual([field, 'FORBIDDEN']);
      expect(body.data).toBeUndefined();
    }
    const result = { authorization: `Bearer ${await t.token({ role: 'result_clerk', window: 'R1' })}` };
    expect((await t.gql(q('disabilityCertificate { grade }'), { id: person.idNumber }, result)).body.errors[0].extensions.code).toBe('FORBIDDEN');
    // through a fragment too
    const viaFragment = await t.gql(`query($id: ID!) { resident(idNumber: $id) { ...F } } fragment F on Resident { entitlements { kind } }`, { id: person.idNumber }, result);
    expect(viaFragment.body.errors[0].message).toMatch(/Resident.entitlements/);
    expect((await t.gql(q('gender age cases { caseNo }'), { id: person.idNumber }, result)).body.errors).toBeUndefined();
  });

  it('unmasking is an explicit, logged grant for one person', async () => {
    const q = `query($id: ID!) { resident(idNumber: $id) { idNumber name } }`;
    const analyst = { authorization: `Bearer ${await t.token({ role: 'analyst', sub: 'analyst-9' })}`, 'x-purpose': 'fraud-review' };
    const grant = (await t.gql(`mutation { grantUnmasking(subject: "analyst-9", reason: "review of a reported duplicate payment", hours: 2) { id expiresAt grantedBy } }`)).body.data.grantUnmasking;
    expect(grant.grantedBy).toBe('test-admin');
    const unmasked = await t.gql(q, { id: person.idNumber }, { ...analyst, 'x-unmask-grant': grant.id });
    expect(unmasked.body.data.resident).toEqual({ idNumber: person.idNumber, name: person.name });
    const audit = (await t.db.query<{ purpose: string; actor: string }>('select purpose, actor from audit_log order by seq desc limit 1')).rows[0]!;
    expect(audit).toEqual({ purpose: `fraud-review [unmask grant ${grant.id}]`, actor: 'analyst-9' });
    expect((await t.gql(q, { id: person.idNumber }, analyst)).body.data.resident.name).toBe(`${[...person.name][0]}*`);
    const someoneElse = { authorization: `Bearer ${await t.token({ role: 'analyst', sub: 'analyst-1' })}`, 'x-purpose': 'x', 'x-unmask-grant': grant.id };
    expect((await t.gql(q, { id: person.idNumber }, someoneElse)).status).toBe(403);
    const notAdmin = await t.gql(`mutation { grantUnmasking(subject: "me", reason: "because I want to", hours: 1) { id } }`, undefined, { authorization: `Bearer ${await t.token({ role: 'analyst' })}` });
    expect(notAdmin.body.errors[0].extensions.code).toBe('FORBIDDEN');

    // Listed while it holds; revoked, it is refused at once and shown as revoked.
    const listed = (await t.gql(`{ unmaskGrants { id subject revokedAt } }`)).body.data.unmaskGrants as any[];
    expect(listed).toContainEqual({ id: grant.id, subject: 'analyst-9', revokedAt: null });
    const revoked = (await t.gql(`mutation($id: ID!) { revokeUnmasking(id: $id) { id revokedAt revokedBy } }`, { id: grant.id })).body.data.revokeUnmasking;
    expect(revoked.id).toBe(grant.id);
    expect(revoked.revokedBy).toBe('test-admin');
    expect(Date.parse(revoked.revokedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await t.gql(q, { id: person.idNumber }, { ...analyst, 'x-unmask-grant': grant.id })).status).toBe(403);
    const otherAdmin = { authorization: `Bearer ${await t.token({ role: 'admin', sub: 'admin-2' })}` };
    const again = (await t.gql(`mutation($id: ID!) { revokeUnmasking(id: $id) { revokedAt revokedBy } }`, { id: grant.id }, otherAdmin)).body.data.revokeUnmasking;
    expect(again).toEqual({ revokedAt: revoked.revokedAt, revokedBy: 'test-admin' }); // the first revocation stands, and its revoker
    expect((await t.gql(`{ unmaskGrants { id revokedAt } }`)).body.data.unmaskGrants).toContainEqual({ id: grant.id, revokedAt: revoked.revokedAt });
    const unknown = await t.gql(`mutation { revokeUnmasking(id: "ug_nonesuch") { id } }`);
    expect(unknown.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('with masked access, material references are masked too (a disability certificate number holds the ID number)', async () => {
    const submitted = await t.gql(`mutation($i: SubmitCaseInput!) { submitCase(input: $i) { case { caseNo materials { code reference provenance } } problems { code message } } }`, {
      i: { idempotencyKey: `access-materials-${Date.now()}`, serviceItemCode: 'DP-0006', applicantIdNumber: person.idNumber, channel: 'WINDOW', materials: [{ code: 'BANK_ACCOUNT', reference: `bank://${person.idNumber}`, form: 'COPY' }] },
    });
    const c = submitted.body.data.submitCase.case;
    const cert = c.materials.find((m: any) => m.code === 'DISABILITY_CERT');
    expect(cert).toEqual({ code: 'DISABILITY_CERT', reference: `disabled-persons:${person.disability!.certificateNo}`, provenance: 'SHARED_DATA' }); // the clerk sees it whole
    const analyst = { authorization: `Bearer ${await t.token({ role: 'analyst' })}` };
    const { body } = await t.gql(`query($n: ID!) { case(caseNo: $n) { materials { code reference provenance } applicant { idNumber } } }`, { n: c.caseNo }, analyst);
    expect(body.data.case.materials).toEqual(expect.arrayContaining([
      { code: 'DISABILITY_CERT', reference: 'disabled-persons:****', provenance: 'SHARED_DATA' },
      { code: 'BANK_ACCOUNT', reference: '****', provenance: 'WINDOW_VERIFIED' },
    ]));
    expect(JSON.stringify(body)).not.toContain(person.idNumber);
    expect(JSON.stringify(body)).not.toContain(person.disability!.certificateNo);
  });

  it('with masked access, cases cannot be picked out by an ID number (who applied for what)', async () => {
    const analyst = { authorization: `Bearer ${await t.token({ role: 'analyst', sub: 'analyst-5' })}`, 'x-purpose': 'monthly report' };
    for (const q of [`{ cases(filter: { applicantIdNumber: "${person.idNumber}" }) { totalCount } }`, `{ caseStats(filter: { applicantIdNumber: "${person.idNumber}" }, groupBy: [SERVICE_ITEM]) { count } }`]) {
      const { body } = await t.gql(q, undefined, analyst);
      expect([q, body.errors?.[0]?.extensions?.code]).toEqual([q, 'FORBIDDEN']);
      expect(JSON.stringify(body)).not.toContain('totalCount');
    }
    expect((await t.gql(`{ cases(first: 1) { totalCount } caseStats(groupBy: [STATUS]) { count } }`, undefined, analyst)).body.errors).toBeUndefined();
    const grant = (await t.gql(`mutation { grantUnmasking(subject: "analyst-5", reason: "check a complaint about one applicant", hours: 1) { id } }`)).body.data.grantUnmasking;
    const granted = await t.gql(`{ cases(filter: { applicantIdNumber: "${person.idNumber}" }) { totalCount } }`, undefined, { ...analyst, 'x-unmask-grant': grant.id });
    expect(granted.body.errors).toBeUndefined();
    const clerk = await t.gql(`{ cases(filter: { applicantIdNumber: "${person.idNumber}" }) { totalCount } }`, undefined, { authorization: `Bearer ${await t.token({ role: 'window_clerk', window: 'W1' })}`, 'x-purpose': 'visit' });
    expect(clerk.body.errors).toBeUndefined();
  });

  it('a station sees its own cases only, in Resident.cases as in the case query', async () => {
    const applicant = t.sims.world.people.filter((p) => p.age >= 18)[60]!;
    const at = async (claims: TokenClaims) => ({ authorization: `Bearer ${await t.token(claims)}` });
    const submit = async (headers: Record<string, string>, channel: string) =>
      (await t.gql(`mutation($i: SubmitCaseInput!) { submitCase(input: $i) { case { caseNo } } }`, {
        i: { idempotencyKey: `access-${channel}-${Date.now()}-${Math.random()}`, serviceItemCode: 'CA-0004', applicantIdNumber: applicant.idNumber, channel, materials: [{ code: 'INCOME_PROOF', reference: 'r', form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: 'f', form: 'ORIGINAL' }] },
      }, headers)).body.data.submitCase.case.caseNo as string;
    const atStation = await submit(await at({ role: 'station_staff', sub: 'staff-03', station: 'JW-03' }), 'STATION');
    const atWindow = await submit(await at({ role: 'window_clerk', window: 'W1' }), 'WINDOW');
    const casesSeenBy = async (claims: TokenClaims) =>
      ((await t.gql(`query($id: ID!) { resident(idNumber: $id) { cases { caseNo } } }`, { id: applicant.idNumber }, await at(claims))).body.data.resident.cases as { caseNo: string }[]).map((c) => c.caseNo);
    expect(await casesSeenBy({ role: 'window_clerk', window: 'W1' })).toEqual(expect.arrayContaining([atStation, atWindow]));
    expect(await casesSeenBy({ role: 'station_staff', station: 'JW-03' })).toEqual([atStation]);
    expect(await casesSeenBy({ role: 'station_staff', station: 'JW-01' })).toEqual([]);
  });

  it('department staff reading their case see who applied, not the applicant\'s data at other departments', async () => {
    const applicant = t.sims.world.people.find((p) => p.disability && p.socialInsurance && p.age >= 18)!;
    const caseNo = (await t.gql(`mutation($i: SubmitCaseInput!) { submitCase(input: $i) { case { caseNo } } }`, {
      i: { idempotencyKey: `access-dept-${Date.now()}`, serviceItemCode: 'CA-0004', applicantIdNumber: applicant.idNumber, channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: 'r', form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: 'f', form: 'ORIGINAL' }] },
    })).body.data.submitCase.case.caseNo as string;
    const civil = { authorization: `Bearer ${await t.token({ role: 'department', department: 'civil-affairs' })}` };
    const read = (fields: string) => t.gql(`query($n: ID!) { case(caseNo: $n) { status applicant { name ${fields} } } }`, { n: caseNo }, civil);
    const basic = await read('idNumber phone');
    expect(basic.body.data.case.applicant).toEqual({ name: applicant.name, idNumber: applicant.idNumber, phone: applicant.phone ?? null });
    for (const field of ['entitlements { kind }', 'disabilityCertificate { grade }', 'medicalInsurance { scheme }', 'socialInsurance { status }', 'paymentRecords { month }', 'designatedHospitals { name }', 'cases { caseNo }']) {
      const { body } = await read(field);
      expect([field, body.errors?.[0]?.extensions?.code]).toEqual([field, 'FORBIDDEN']);
      expect(body.data).toBeUndefined();
    }
  });

  it('a kiosk shows its resident the progress of their own cases (办件进度查询), nobody else\'s, without the staff side', async () => {
    const other = t.sims.world.people.find((p) => p.idNumber !== person.idNumber && p.age >= 18)!;
    const submit = async (idNumber: string) =>
      (await t.gql(`mutation($i: SubmitCaseInput!) { submitCase(input: $i) { case { caseNo } } }`, {
        i: { idempotencyKey: `access-kiosk-${idNumber.slice(-6)}-${Date.now()}`, serviceItemCode: 'CA-0004', applicantIdNumber: idNumber, channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: 'r', form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: 'f', form: 'ORIGINAL' }] },
      })).body.data.submitCase.case.caseNo as string;
    const mine = await submit(person.idNumber);
    const theirs = await submit(other.idNumber);
    const kiosk = { authorization: `Bearer ${await t.token({ role: 'self_service', resident: person.idNumber })}`, 'x-purpose': 'progress-inquiry' };
    const own = await t.gql(`query($n: ID!) { case(caseNo: $n) { caseNo status promisedBy serviceItem { name } } }`, { n: mine }, kiosk);
    expect(own.body.data.case).toMatchObject({ caseNo: mine, status: 'ACCEPTED', serviceItem: { name: '临时救助申请' } });
    const listed = await t.gql(`query($id: ID!) { resident(idNumber: $id) { cases { caseNo status } } }`, { id: person.idNumber }, kiosk);
    expect(listed.body.data.resident.cases.map((c: any) => c.caseNo)).toContain(mine);
    const refused = await t.gql(`query($n: ID!) { case(caseNo: $n) { status } }`, { n: theirs }, kiosk);
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    for (const field of ['events { actor }', 'forwarding { lastError }']) {
      const { body } = await t.gql(`query($n: ID!) { case(caseNo: $n) { status ${field} } }`, { n: mine }, kiosk);
      expect([field, body.errors?.[0]?.extensions?.code]).toEqual([field, 'FORBIDDEN']);
      expect(body.data).toBeUndefined();
    }
    expect((await t.gql(`{ cases(first: 5) { totalCount } }`, undefined, kiosk)).body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('a kiosk token naming its resident with a lower-case check digit x still shows that resident', async () => {
    const withX = t.sims.world.people.find((p) => p.idNumber.endsWith('X'))!;
    const kiosk = { authorization: `Bearer ${await t.token({ role: 'self_service', resident: withX.idNumber.toLowerCase() })}`, 'x-purpose': 'self-service' };
    const { body } = await t.gql(`query($id: ID!) { resident(idNumber: $id) { name } }`, { id: withX.idNumber }, kiosk);
    expect(body.data.resident.name).toBe(withX.name);
  });

  it('a kiosk sees only the resident whose card was read', async () => {
    const kiosk = { authorization: `Bearer ${await t.token({ role: 'self_service', resident: person.idNumber })}` };
    expect((await t.gql(`query($id: ID!) { resident(idNumber: $id) { name } }`, { id: person.idNumber }, kiosk)).body.data.resident.name).toBe(person.name);
    const other = t.sims.world.people.find((p) => p.idNumber !== person.idNumber)!;
    const refused = await t.gql(`query($id: ID!) { resident(idNumber: $id) { name } }`, { id: other.idNumber }, kiosk);
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(JSON.stringify(refused.body)).not.toContain(other.name);
  });

  it('limits depth and aliases, with a larger budget for analysts', async () => {
    const aliases = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: departments { code }`).join(' ')} }`;
    const clerk = await t.gql(aliases, undefined, { authorization: `Bearer ${await t.token({ role: 'window_clerk', window: 'W1' })}` });
    expect(clerk.status).toBe(400);
    expect(clerk.body.errors[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX' }, message: expect.stringMatching(/aliases 20 > 15/) });
    const analyst = await t.gql(aliases, undefined, { authorization: `Bearer ${await t.token({ role: 'analyst' })}` });
    expect(analyst.body.errors).toBeUndefined();
    const deep = `{ cases(first: 1) { edges { node { applicant { cases { applicant { cases { serviceItem { materials { sharedBy { code } } } } } } } } } } }`; // depth 11
    const tooDeep = await t.gql(deep, undefined, { authorization: `Bearer ${await t.token({ role: 'window_clerk', window: 'W1' })}`, 'x-purpose': 'test' });
    expect(tooDeep.body.errors[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX' }, message: expect.stringMatching(/depth 11 > 10/) });
  });

  it('logs carry no ID number, name or phone of anyone it served', async () => {
    const people = t.sims.world.people.slice(60, 70);
    const clerk = { authorization: `Bearer ${await t.token({ role: 'window_clerk', window: 'W1' })}`, 'x-purpose': 'test' };
    t.sims.sims['civil-affairs'].configure({ down: true });
    try {
      await t.gql(`query($ids: [ID!]!) { residents(idNumbers: $ids) { name phone entitlements { kind } sources { state } } }`, { ids: people.map((p) => p.idNumber) }, clerk);
    } finally {
      t.sims.sims['civil-affairs'].configure({ down: false });
    }
    await t.gql(`query($id: ID!) { resident(idNumber: $id) { name } }`, { id: people[0]!.idNumber.slice(0, 17) + 'Q' }, clerk);
    await t.gql(`mutation($i: SubmitCaseInput!) { submitCase(input: $i) { problems { code } } }`, { i: { idempotencyKey: 'log-scan-0001', serviceItemCode: 'CA-0004', applicantIdNumber: people[1]!.idNumber, channel: 'WINDOW', materials: [] } }, clerk);
    const logs = t.logs.join('\n');
    expect(logs).toContain('department call failed'); // the failure was logged…
    for (const p of people) {
      expect(logs).not.toContain(p.idNumber); // …without the people it was about
      expect(logs).not.toContain(p.name);
      if (p.phone) expect(logs).not.toContain(p.phone);
    }
  });

  it('every test hub scans its log on close, and an ID number in it fails the suite', async () => {
    const h = await startTestHub();
    h.logs.push(JSON.stringify({ level: 'info', msg: 'a careless line', id: h.sims.world.people[3]!.idNumber }));
    await expect(h.close()).rejects.toThrow(/personal data of 1 resident/);
  });

  it('refuses to start without authentication, or with the development issuer in production', async () => {
    const log = createLogger('error', () => undefined);
    await expect(startHub(loadConfig({ PORT: '0', DATA_DIR: 'memory', POPULATION_URL: 'http://x', SOCIAL_INSURANCE_URL: 'http://x', MEDICAL_INSURANCE_URL: 'http://x', CIVIL_AFFAIRS_URL: 'http://x', HEALTH_URL: 'http://x', DISABLED_PERSONS_URL: 'http://x' }), { log })).rejects.toThrow(/no authentication configured/);
    await expect(startHub(loadConfig({ NODE_ENV: 'production', AUTH_DEV_ISSUER: 'true', PORT: '0' }), { log })).rejects.toThrow(/development token issuer/);
    // replicas sharing a ledger must name residents in the audit log with one key
    await expect(startHub(loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://nowhere.invalid/db', AUTH_JWKS_URL: 'https://idp.example/jwks', PORT: '0' }), { log })).rejects.toThrow(/AUDIT_KEY_SECRET is required with DATABASE_URL in production/);
    expect(() => loadConfig({ AUDIT_KEY_SECRET: 'short' })).toThrow(/AUDIT_KEY_SECRET must be at least 16 characters/);
    // an empty ledger in production is not filled with the sample catalogue behind the district's back
    const urls = { POPULATION_URL: 'http://x', SOCIAL_INSURANCE_URL: 'http://x', MEDICAL_INSURANCE_URL: 'http://x', CIVIL_AFFAIRS_URL: 'http://x', HEALTH_URL: 'http://x', DISABLED_PERSONS_URL: 'http://x' };
    await expect(startHub(loadConfig({ NODE_ENV: 'production', DATA_DIR: 'memory', AUTH_JWKS_URL: 'https://idp.example/jwks', PORT: '0', ...urls }), { log })).rejects.toThrow(/no service-item catalogue: set CATALOGUE_FILE/);
  });
});

describe('rate limit per principal', () => {
  let t: TestHub;
  beforeAll(async () => (t = await startTestHub({ env: { RATE_LIMIT_PER_MINUTE: '3' } })));
  afterAll(() => t?.close());

  it('answers 429 with Retry-After past the limit, per principal', async () => {
    const a = { authorization: `Bearer ${await t.token({ role: 'window_clerk', sub: 'clerk-a', window: 'W1' })}` };
    const b = { authorization: `Bearer ${await t.token({ role: 'window_clerk', sub: 'clerk-b', window: 'W2' })}` };
    for (let i = 0; i < 3; i++) expect((await t.gql(`{ departments { code } }`, undefined, a)).status).toBe(200);
    const res = await fetch(t.hub.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...a }, body: JSON.stringify({ query: '{ departments { code } }' }) });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await t.gql(`{ departments { code } }`, undefined, b)).status).toBe(200); // someone else is not affected
  });
});

describe('browser front-ends on another origin (CORS)', () => {
  let t: TestHub;
  beforeAll(async () => (t = await startTestHub({ env: { CORS_ORIGINS: 'https://window.example.gov.cn, http://10.1.2.3:8080' } })));
  afterAll(() => t?.close());

  const preflight = (origin: string) =>
    fetch(t.hub.graphqlUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-purpose' } });

  it('answers the preflight of a listed origin, refuses any other, and names the origin on the answer', async () => {
    const ok = await preflight('https://window.example.gov.cn');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://window.example.gov.cn');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization.*x-purpose/);
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await preflight('https://evil.example.com');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const token = await t.token({ role: 'admin' });
    const query = (origin: string) => fetch(t.hub.graphqlUrl, { method: 'POST', headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"query":"{ departments { code } }"}' });
    const answered = await query('http://10.1.2.3:8080');
    expect([answered.status, answered.headers.get('access-control-allow-origin'), answered.headers.get('vary')]).toEqual([200, 'http://10.1.2.3:8080', 'Origin']);
    // another origin's page gets the answer withheld by its browser: no allow-origin on it
    const unlisted = await query('https://evil.example.com');
    expect([unlisted.status, unlisted.headers.get('access-control-allow-origin')]).toEqual([200, null]);
  });

  it('refuses to start with a wildcard or a path in CORS_ORIGINS', () => {
    for (const bad of ['*', 'https://a.example/path', 'window.example.gov.cn']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad, AUTH_DEV_ISSUER: 'true' })).toThrow(/CORS_ORIGINS/);
    }
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example:8443', AUTH_DEV_ISSUER: 'true' }).corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
  });
});
