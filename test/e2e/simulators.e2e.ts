/**
 * The simulators behave like the systems they stand in for: limits, formats, auth, documents.
 */
import { spawn } from 'node:child_process';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulators, type RunningSimulators } from '../../mocks/index.js';

describe('simulated departments', () => {
  let s: RunningSimulators;
  beforeAll(async () => (s = await startSimulators({ faults: false, world: { count: 300 } })));
  afterAll(() => s?.close());
  const ids = (n: number) => s.world.people.slice(0, n).map((p) => p.idNumber);
  const post = (url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(url, { method: 'POST', headers, body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) });

  it('population refuses more than 50 ID numbers, with its own error code', async () => {
    const res = await post(`${s.urls.population}/api/v2/persons/batch`, { sfzhList: ids(51) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 4001 });
  });

  it('social insurance wants a token and refuses batches over 100', async () => {
    expect((await post(`${s.urls['social-insurance']}/si/api/person/query`, { aac002List: ids(1) })).status).toBe(401);
    const token = ((await (await post(`${s.urls['social-insurance']}/auth/token`, { appKey: 'owh-hub', appSecret: 'dev-only-secret' })).json()) as any).access_token;
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    expect((await post(`${s.urls['social-insurance']}/si/api/person/query`, { aac002List: ids(101) }, auth)).status).toBe(400);
    const p = s.world.people.find((x) => x.socialInsurance && x.socialInsurance.monthsPaid >= 36 && x.socialInsurance.status === '参保缴费')!;
    const page = (await (await fetch(`${s.urls['social-insurance']}/si/api/payments?aac001=${p.socialInsurance!.personNo}&page=1&size=50`, { headers: auth })).json()) as any;
    expect(page.total).toBe(36 * p.socialInsurance!.insuranceTypes.length);
    expect(page.list).toHaveLength(50);
  });

  it('civil affairs answers GBK XML, refuses UTF-8 requests and batches over 20', async () => {
    const xml = (n: number) => iconv.encode(`<?xml version="1.0" encoding="GBK"?><Request>${ids(n).map((i) => `<Sfzh>${i}</Sfzh>`).join('')}</Request>`, 'gbk');
    const ok = await post(`${s.urls['civil-affairs']}/ws/mz/PersonQuery`, xml(2), { 'content-type': 'text/xml; charset=GBK' });
    expect(ok.headers.get('content-type')).toMatch(/GBK/i);
    const text = iconv.decode(Buffer.from(await ok.arrayBuffer()), 'gbk');
    expect(text).toContain(`<Xm>${s.world.people[0]!.name}</Xm>`);
    const utf8 = await post(`${s.urls['civil-affairs']}/ws/mz/PersonQuery`, xml(2), { 'content-type': 'text/xml; charset=UTF-8' });
    expect(iconv.decode(Buffer.from(await utf8.arrayBuffer()), 'gbk')).toContain('<Code>E100</Code>');
    const many = await post(`${s.urls['civil-affairs']}/ws/mz/PersonQuery`, xml(21), { 'content-type': 'text/xml; charset=GBK' });
    expect(iconv.decode(Buffer.from(await many.arrayBuffer()), 'gbk')).toContain('<Code>E101</Code>');
    expect(await (await fetch(`${s.urls['civil-affairs']}/ws/mz/schema.xsd`)).text()).toContain('maxOccurs="20"');
  });

  it('health is keyed by household and member number', async () => {
    const p = s.world.people[3]!;
    const res = (await (await post(`${s.urls.health}/wjw/api/family/members`, { members: [{ hh: p.householdNo, cyxh: String(p.memberNo) }] })).json()) as any;
    expect(res.result[0]).toMatchObject({ hh: p.householdNo, cyxh: String(p.memberNo), sfzh: p.idNumber });
  });

  it('every simulator serves an OpenAPI document and counts only department calls', async () => {
    for (const url of Object.values(s.urls)) {
      const doc = (await (await fetch(`${url}/openapi.json`)).json()) as any;
      expect(doc.openapi).toBe('3.0.3');
      expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    }
    const c = s.sims.population.snapshot();
    await fetch(`${s.urls.population}/_sim/counters`);
    expect(s.sims.population.snapshot().calls).toEqual(c.calls);
  });

  it('refuses unknown fault settings at run time', async () => {
    const res = await fetch(`${s.urls.population}/_sim/config`, { method: 'PATCH', body: JSON.stringify({ latencyMS: 5 }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toContain('latencyMS');
    expect(s.sims.population.faults.latencyMs).toBe(0);
  });

  it('runs as its own HTTP server', async () => {
    const child = spawn(process.execPath, ['dist/mocks/serve.js', 'population', '0'], { env: { ...process.env, SIM_RESIDENTS: '50' } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          const m = /on (http:\S+)/.exec(d.toString());
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const res = (await (await post(`${url}/api/v2/persons/batch`, { sfzhList: [s.world.people[0]!.idNumber] })).json()) as any;
      expect(res.data[0].xm).toBe(s.world.people[0]!.name); // same seed, same people
    } finally {
      child.kill('SIGTERM');
    }
  });
});
