/**
 * The synthetic district: deterministic residents from a seed and a count, with what each
 * department knows about them. The same people exist in every simulated department, so the
 * hub's joins are real joins. Nothing here is committed data: 200,000 residents build in memory
 * in a couple of seconds.
 *
 * Shares are plausible for an urban subdistrict, not statistics: 高龄津贴 for almost everybody
 * 80+, 低保 for ~2.5% of households, disability certificates for ~2% under 60 and ~10% over,
 * 两项补贴 only with a certificate (living subsidy only with 低保/特困, nursing subsidy only
 * for grades 1–2).
 */
import { ageOn, makeIdNumber } from '../../src/domain/idnumber.js';
import { chance, int, pick, rng, type Rand } from './random.js';

export interface WorldOptions {
  seed: number;
  count: number;
  /** Ages and "current" months are computed on this day, so a seed gives the same world every day. */
  referenceDate: string;
}

export const DEFAULT_WORLD: WorldOptions = { seed: 20261126, count: 10_000, referenceDate: '2026-11-01' };

export type Status = 'ACTIVE' | 'SUSPENDED' | 'ENDED' | 'PENDING';

/** One benefit as the department stores it (each simulator renders it in its own wire format). */
export interface Benefit {
  kind: string;
  status: Status;
  monthlyAmount?: number;
  startDate?: string;
  endDate?: string;
}

export interface SocialInsuranceRecord {
  personNo: string;
  status: '参保缴费' | '暂停缴费' | '领取待遇';
  insuranceTypes: string[];
  firstPaidOn: string;
  monthsPaid: number;
  baseWage: number;
  benefits: Benefit[];
}

export interface MedicalRecord {
  scheme: 'EMPLOYEE' | 'RESIDENT';
  status: '正常参保' | '暂停参保';
  enrolledOn: string;
  hospitalCodes: string[];
  benefits: Benefit[];
}

export interface CivilRecord {
  marriage: '未婚' | '已婚' | '离婚' | '丧偶';
  benefits: Benefit[];
}

export interface HealthRecord {
  benefits: Benefit[];
}

export interface DisabilityRecord {
  certificateNo: string;
  category: number; // 1 视力 2 听力 3 言语 4 肢体 5 智力 6 精神 7 多重
  grade: number; // 1 (most severe) – 4
  issuedOn: string;
  validUntil: string;
  benefits: Benefit[];
}

export interface Person {
  idNumber: string;
  name: string;
  gender: 'MALE' | 'FEMALE';
  birthDate: string;
  age: number;
  phone: string | null;
  address: string;
  community: string;
  householdNo: string;
  /** 成员序号 within the household register, 1 = head. */
  memberNo: number;
  relation: '户主' | '配偶' | '子女' | '父母';
  socialInsurance: SocialInsuranceRecord | null;
  medical: MedicalRecord | null;
  civil: CivilRecord;
  health: HealthRecord;
  disability: DisabilityRecord | null;
}

export interface World {
  options: WorldOptions;
  people: Person[];
  byId: Map<string, Person>;
  byHousehold: Map<string, Person[]>;
  hospitals: Hospital[];
}

export interface Hospital {
  code: string;
  name: string;
  level: string;
  address: string;
}

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤'];
const GIVEN_M = '伟强磊军勇杰涛明超刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林建国志文斌博海峰庆东亮晨';
const GIVEN_F = '芳娜敏静丽艳娟霞秀英慧玲婷雪琳颖倩洁萍红梅兰晶燕璐欣怡佳悦桂珍凤玉春兰淑';
const COMMUNITIES = [
  '建国里社区', '永安里社区', '光华里社区', '大北窑社区', '秀水社区', '北郎家园社区', '南郎家园社区',
  '灵通观社区', '建外SOHO社区', '国贸社区', '光华路社区', '景华社区', '双井社区', '九龙社区',
];
const STREETS = ['建国路', '光华路', '东三环中路', '永安里东街', '秀水街', '郎家园', '景华南街', '双井东街'];
const OTHER_AREAS = ['110101', '110102', '110108', '110106', '130102', '370102', '410105', '510104', '230103'];

const HOSPITALS: Hospital[] = [
  ['H11010501', '北京市朝阳区建外社区卫生服务中心', '一级', '北京市朝阳区建国门外大街'],
  ['H11010502', '北京朝阳医院', '三级甲等', '北京市朝阳区工人体育场南路8号'],
  ['H11010503', '中日友好医院', '三级甲等', '北京市朝阳区樱花园东街2号'],
  ['H11010504', '北京市垂杨柳医院', '二级甲等', '北京市朝阳区垂杨柳西区2号'],
  ['H11010505', '北京中医药大学第三附属医院', '三级甲等', '北京市朝阳区安外小关街51号'],
  ['H11010506', '北京市朝阳区双井第一社区卫生服务中心', '一级', '北京市朝阳区双井东街'],
  ['H11010507', '北京协和医院', '三级甲等', '北京市东城区帅府园1号'],
  ['H11010508', '北京市朝阳区妇幼保健院', '二级甲等', '北京市朝阳区潘家园华威里25号'],
].map(([code, name, level, address]) => ({ code: code!, name: name!, level: level!, address: address! }));

function addYears(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) + years;
  return `${y}${date.slice(4)}`.replace(/-02-29$/, '-02-28');
}

function dateFromAge(r: Rand, ref: Date, age: number): string {
  const refDay = Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth(), ref.getUTCDate());
  const days = age * 365.25 + int(r, 1, 364);
  const d = new Date(refDay - days * 86400_000);
  return d.toISOString().slice(0, 10);
}

function name(r: Rand, gender: 'MALE' | 'FEMALE', surname: string): string {
  const pool = gender === 'MALE' ? GIVEN_M : GIVEN_F;
  return surname + pool[int(r, 0, pool.length - 1)] + (chance(r, 0.7) ? pool[int(r, 0, pool.length - 1)] : '');
}

function phone(r: Rand): string | null {
  if (chance(r, 0.05)) return null;
  const prefix = pick(r, ['130', '131', '135', '136', '138', '139', '150', '151', '158', '186', '188', '199']);
  return prefix + String(int(r, 0, 99_999_999)).padStart(8, '0');
}

export function buildWorld(options: Partial<WorldOptions> = {}): World {
  const opts: WorldOptions = { ...DEFAULT_WORLD, ...options };
  if (!Number.isInteger(opts.count) || opts.count < 1) throw new RangeError(`world count must be a positive integer, got ${opts.count}`);
  const r = rng(opts.seed);
  const ref = new Date(`${opts.referenceDate}T00:00:00Z`);
  const people: Person[] = [];
  const byId = new Map<string, Person>();
  const byHousehold = new Map<string, Person[]>();
  let householdSeq = 0;

  const newId = (birthDate: string, gender: 'MALE' | 'FEMALE'): string => {
    const area = chance(r, 0.72) ? '110105' : pick(r, OTHER_AREAS);
    for (;;) {
      let seq = int(r, 0, 998);
      if ((seq % 2 === 1) !== (gender === 'MALE')) seq++;
      const id = makeIdNumber(area, birthDate, seq);
      if (!byId.has(id)) return id;
    }
  };

  while (people.length < opts.count) {
    householdSeq++;
    const householdNo = `110105${String(householdSeq).padStart(9, '0')}`;
    const community = pick(r, COMMUNITIES);
    const address = `北京市朝阳区${pick(r, STREETS)}${int(r, 1, 99)}号院${int(r, 1, 20)}号楼${int(r, 1, 6)}单元${int(r, 1, 28)}${String(int(r, 1, 4)).padStart(2, '0')}室`;
    const surname = pick(r, SURNAMES);
    const headAge = Math.min(100, Math.floor(22 + Math.pow(r(), 1.3) * 76));
    const headGender: 'MALE' | 'FEMALE' = chance(r, 0.55) ? 'MALE' : 'FEMALE';
    const members: { age: number; gender: 'MALE' | 'FEMALE'; relation: Person['relation']; surname: string }[] = [
      { age: headAge, gender: headGender, relation: '户主', surname },
    ];
    const married = headAge >= 24 && chance(r, 0.72);
    if (married) {
      const spouseAge = Math.max(20, Math.min(100, headAge + int(r, -5, 5)));
      members.push({ age: spouseAge, gender: headGender === 'MALE' ? 'FEMALE' : 'MALE', relation: '配偶', surname: pick(r, SURNAMES) });
    }
    if (headAge >= 24 && headAge <= 70 && chance(r, 0.75)) {
      const children = chance(r, 0.6) ? 1 : 2;
      for (let c = 0; c < children; c++) {
        const age = headAge - int(r, 24, 36);
        if (age >= 0) members.push({ age, gender: chance(r, 0.5) ? 'MALE' : 'FEMALE', relation: '子女', surname });
      }
    }
    if (headAge <= 60 && chance(r, 0.12)) {
      const age = Math.min(100, headAge + int(r, 24, 32));
      members.push({ age, gender: chance(r, 0.55) ? 'FEMALE' : 'MALE', relation: '父母', surname });
    }
    const lowIncomeHousehold = chance(r, 0.025);
    const childCount = members.filter((m) => m.relation === '子女').length;
    const youngestChild = Math.min(...members.filter((m) => m.relation === '子女').map((m) => m.age), 99);
    const list: Person[] = [];
    for (const [i, m] of members.entries()) {
      if (people.length >= opts.count) break;
      const birthDate = dateFromAge(r, ref, m.age);
      const idNumber = newId(birthDate, m.gender);
      const age = ageOn(birthDate, ref);
      const person: Person = {
        idNumber,
        name: name(r, m.gender, m.surname),
        gender: m.gender,
        birthDate,
        age,
        phone: age >= 12 ? phone(r) : null,
        address,
        community,
        householdNo,
        memberNo: i + 1,
        relation: m.relation,
        socialInsurance: null,
        medical: null,
        civil: { marriage: age < 20 ? '未婚' : married && (m.relation === '户主' || m.relation === '配偶') ? '已婚' : pick(r, ['未婚', '离婚', '丧偶'] as const), benefits: [] },
        health: { benefits: [] },
        disability: null,
      };
      fillDepartments(r, ref, person, { lowIncomeHousehold, childCount, youngestChild });
      people.push(person);
      byId.set(idNumber, person);
      list.push(person);
    }
    byHousehold.set(householdNo, list);
  }
  return { options: opts, people, byId, byHousehold, hospitals: HOSPITALS };
}

function fillDepartments(
  r: Rand,
  ref: Date,
  p: Person,
  household: { lowIncomeHousehold: boolean; childCount: number; youngestChild: number },
): void {
  const today = ref.toISOString().slice(0, 10);
  const retirementAge = p.gender === 'MALE' ? 60 : 55;

  // 人社: accounts for most adults; pensions for retirees with an account.
  if (p.age >= 18 && chance(r, p.age >= retirementAge ? 0.85 : 0.8)) {
    const startAge = int(r, 18, Math.min(p.age, 30));
    const firstPaidOn = addYears(p.birthDate, startAge).slice(0, 8) + '01';
    const retired = p.age >= retirementAge;
    const months = Math.max(1, (Math.min(p.age, retirementAge) - startAge) * 12 - int(r, 0, 24));
    const benefits: Benefit[] = [];
    if (retired) {
      benefits.push({ kind: 'BASIC_PENSION', status: 'ACTIVE', monthlyAmount: int(r, 2800, 7200), startDate: addYears(p.birthDate, retirementAge).slice(0, 8) + '01' });
    } else if (chance(r, 0.02)) {
      benefits.push({ kind: 'UNEMPLOYMENT_BENEFIT', status: 'ACTIVE', monthlyAmount: 2286, startDate: today.slice(0, 8) + '01' });
    }
    p.socialInsurance = {
      personNo: `SB${p.idNumber.slice(0, 6)}${String(int(r, 0, 99_999_999)).padStart(8, '0')}`,
      status: retired ? '领取待遇' : chance(r, 0.9) ? '参保缴费' : '暂停缴费',
      insuranceTypes: retired ? ['养老'] : ['养老', '医疗', '失业', '工伤', ...(chance(r, 0.5) ? ['生育'] : [])],
      firstPaidOn,
      monthsPaid: months,
      baseWage: int(r, 6326, 33891),
      benefits,
    };
  }

  // 医保: nearly everyone; employees through their employer, the rest in the resident scheme.
  if (chance(r, 0.97)) {
    const employee = p.socialInsurance !== null;
    const hospitalCount = int(r, 1, 4);
    const codes = new Set<string>();
    codes.add('H11010501');
    while (codes.size < hospitalCount) codes.add(`H1101050${int(r, 2, 8)}`);
    const benefits: Benefit[] = [];
    if (p.age >= 60 && chance(r, 0.15)) {
      benefits.push({ kind: 'CHRONIC_DISEASE_OUTPATIENT', status: 'ACTIVE', startDate: `${int(r, 2015, 2025)}-01-01` });
    }
    p.medical = {
      scheme: employee ? 'EMPLOYEE' : 'RESIDENT',
      status: chance(r, 0.97) ? '正常参保' : '暂停参保',
      // 城乡居民医保 began in 2008 here; nobody enrols before birth.
      enrolledOn: employee ? p.socialInsurance!.firstPaidOn : [p.birthDate, `${int(r, 2008, 2016)}-01-01`].sort()[1]!,
      hospitalCodes: [...codes],
      benefits,
    };
  }

  // 残联: certificate = ID number + category digit + grade digit.
  if (chance(r, p.age >= 60 ? 0.1 : 0.02)) {
    const category = int(r, 1, 7);
    const grade = int(r, 1, 4);
    const issuedOn = `${int(r, Math.max(2008, Number(p.birthDate.slice(0, 4))), 2025)}-${String(int(r, 1, 12)).padStart(2, '0')}-15`;
    p.disability = {
      certificateNo: `${p.idNumber}${category}${grade}`,
      category,
      grade,
      issuedOn,
      validUntil: addYears(issuedOn, 10),
      benefits: [],
    };
  }

  // 民政
  const b = p.civil.benefits;
  if (household.lowIncomeHousehold) b.push({ kind: 'LOW_INCOME_ALLOWANCE', status: 'ACTIVE', monthlyAmount: int(r, 300, 1470), startDate: `${int(r, 2018, 2026)}-${String(int(r, 1, 9)).padStart(2, '0')}-01` });
  else if ((p.age >= 60 || p.disability) && chance(r, 0.03)) b.push({ kind: 'EXTREME_POVERTY_SUPPORT', status: 'ACTIVE', monthlyAmount: 2205, startDate: `${int(r, 2015, 2026)}-01-01` });
  if (p.age >= 80 && chance(r, 0.95)) {
    b.push({ kind: 'OLD_AGE_ALLOWANCE', status: 'ACTIVE', monthlyAmount: p.age >= 100 ? 800 : p.age >= 90 ? 500 : 100, startDate: addYears(p.birthDate, 80).slice(0, 8) + '01' });
  }

  // 两项补贴
  if (p.disability) {
    const poor = b.some((x) => x.kind === 'LOW_INCOME_ALLOWANCE' || x.kind === 'EXTREME_POVERTY_SUPPORT');
    if (poor) p.disability.benefits.push({ kind: 'DISABILITY_LIVING_SUBSIDY', status: 'ACTIVE', monthlyAmount: p.disability.grade <= 2 ? 200 : 100, startDate: p.disability.issuedOn });
    if (p.disability.grade <= 2) p.disability.benefits.push({ kind: 'DISABILITY_NURSING_SUBSIDY', status: chance(r, 0.95) ? 'ACTIVE' : 'SUSPENDED', monthlyAmount: p.disability.grade === 1 ? 300 : 200, startDate: p.disability.issuedOn });
  }

  // 卫健/计生: parents of one child, special-support families, birth registrations of infants.
  const parent = p.relation === '户主' || p.relation === '配偶';
  if (parent && household.childCount === 1 && household.youngestChild < 18 && chance(r, 0.8)) {
    p.health.benefits.push({ kind: 'ONE_CHILD_PARENT_REWARD', status: 'ACTIVE', monthlyAmount: 10, startDate: addYears(today, -household.youngestChild).slice(0, 8) + '01' });
  }
  if (parent && household.childCount === 0 && p.age >= 49 && chance(r, 0.02)) {
    p.health.benefits.push({ kind: 'FAMILY_PLANNING_SPECIAL_SUPPORT', status: 'ACTIVE', monthlyAmount: chance(r, 0.5) ? 590 : 720, startDate: `${int(r, 2012, 2025)}-01-01` });
  }
  if (p.relation === '子女' && p.age <= 3) {
    p.health.benefits.push({ kind: 'BIRTH_REGISTRATION', status: 'ENDED', startDate: p.birthDate, endDate: p.birthDate });
  }
}

/** Chinese names of the benefit kinds, as the departments print them. */
export const BENEFIT_NAMES: Record<string, string> = {
  BASIC_PENSION: '城镇职工基本养老金',
  UNEMPLOYMENT_BENEFIT: '失业保险金',
  CHRONIC_DISEASE_OUTPATIENT: '门诊慢特病待遇',
  LOW_INCOME_ALLOWANCE: '城市最低生活保障',
  EXTREME_POVERTY_SUPPORT: '特困人员救助供养',
  OLD_AGE_ALLOWANCE: '高龄老年人津贴',
  DISABILITY_LIVING_SUBSIDY: '困难残疾人生活补贴',
  DISABILITY_NURSING_SUBSIDY: '重度残疾人护理补贴',
  ONE_CHILD_PARENT_REWARD: '独生子女父母奖励',
  FAMILY_PLANNING_SPECIAL_SUPPORT: '计划生育特殊家庭扶助',
  BIRTH_REGISTRATION: '生育登记',
};
