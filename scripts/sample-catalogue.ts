/**
 * Writes mocks/catalogue/sample-catalogue.json: a SAMPLE catalogue of 153 service items across the
 * six departments (95 IMMEDIATE, 27 open to community stations, the self-service items and the
 * items the reform names). Names are plausible, not a district's official list.
 *   node dist/scripts/sample-catalogue.js
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Form = 'ORIGINAL' | 'COPY' | 'ELECTRONIC';
interface Material { code: string; name: string; form: Form; copies: number; required: boolean; deferrable: boolean; sharedBy: string | null }
interface Item {
  code: string; name: string; department: string; itemType: string; handlingMode: 'IMMEDIATE' | 'PROMISED';
  promisedWorkingDays: number; legalWorkingDays: number | null; maxVisits: number; channels: string[]; fee: number; materials: Material[]; sample: true;
}

const M = {
  ID_CARD: { code: 'ID_CARD', name: '居民身份证', form: 'ORIGINAL', copies: 1, required: true, deferrable: false, sharedBy: 'population' },
  HOUSEHOLD_REGISTER: { code: 'HOUSEHOLD_REGISTER', name: '居民户口簿', form: 'ORIGINAL', copies: 1, required: true, deferrable: true, sharedBy: 'population' },
  SOCIAL_SECURITY_CARD: { code: 'SOCIAL_SECURITY_CARD', name: '社会保障卡', form: 'ORIGINAL', copies: 1, required: true, deferrable: false, sharedBy: 'social-insurance' },
  MEDICAL_INSURANCE_CERT: { code: 'MEDICAL_INSURANCE_CERT', name: '医保电子凭证', form: 'ELECTRONIC', copies: 1, required: true, deferrable: false, sharedBy: 'medical-insurance' },
  LOW_INCOME_CERT: { code: 'LOW_INCOME_CERT', name: '最低生活保障金领取证', form: 'COPY', copies: 1, required: true, deferrable: true, sharedBy: 'civil-affairs' },
  MARRIAGE_CERT: { code: 'MARRIAGE_CERT', name: '结婚证', form: 'COPY', copies: 1, required: true, deferrable: true, sharedBy: 'civil-affairs' },
  DISABILITY_CERT: { code: 'DISABILITY_CERT', name: '中华人民共和国残疾人证', form: 'ORIGINAL', copies: 1, required: true, deferrable: false, sharedBy: 'disabled-persons' },
  ONE_CHILD_CERT: { code: 'ONE_CHILD_CERT', name: '独生子女父母光荣证', form: 'COPY', copies: 1, required: true, deferrable: true, sharedBy: 'health' },
  APPLICATION_FORM: { code: 'APPLICATION_FORM', name: '申请表', form: 'ORIGINAL', copies: 1, required: true, deferrable: false, sharedBy: null },
  PHOTO: { code: 'PHOTO', name: '近期一寸免冠照片', form: 'ORIGINAL', copies: 2, required: true, deferrable: true, sharedBy: null },
  BANK_ACCOUNT: { code: 'BANK_ACCOUNT', name: '本人银行账户信息', form: 'COPY', copies: 1, required: true, deferrable: true, sharedBy: null },
  INCOME_PROOF: { code: 'INCOME_PROOF', name: '家庭收入及财产状况声明', form: 'ORIGINAL', copies: 1, required: true, deferrable: false, sharedBy: null },
  MEDICAL_INVOICES: { code: 'MEDICAL_INVOICES', name: '医疗费用收据及明细', form: 'ORIGINAL', copies: 1, required: true, deferrable: false, sharedBy: null },
  DIAGNOSIS: { code: 'DIAGNOSIS', name: '医疗机构诊断证明', form: 'ORIGINAL', copies: 1, required: true, deferrable: true, sharedBy: null },
  DISABILITY_ASSESSMENT: { code: 'DISABILITY_ASSESSMENT', name: '残疾评定表', form: 'ORIGINAL', copies: 1, required: true, deferrable: false, sharedBy: null },
  BIRTH_MEDICAL_CERT: { code: 'BIRTH_MEDICAL_CERT', name: '出生医学证明', form: 'COPY', copies: 1, required: true, deferrable: false, sharedBy: null },
  AUTHORIZATION: { code: 'AUTHORIZATION', name: '授权委托书（代办时）', form: 'ORIGINAL', copies: 1, required: false, deferrable: false, sharedBy: null },
  EMPLOYMENT_PROOF: { code: 'EMPLOYMENT_PROOF', name: '劳动关系证明材料', form: 'COPY', copies: 1, required: true, deferrable: true, sharedBy: null },
} satisfies Record<string, Material>;

type K = keyof typeof M;
const PREFIX: Record<string, string> = { 'social-insurance': 'SI', 'medical-insurance': 'MI', 'civil-affairs': 'CA', health: 'HE', 'disabled-persons': 'DP', population: 'PO' };

/** [name, handling, promised days, station?, materials, itemType?, extra channels] */
type Spec = [string, 'I' | 'P', number, boolean, K[], string?, string[]?];

const SPECS: Record<string, Spec[]> = {
  'social-insurance': [
    ['打印社会保险个人缴费记录', 'I', 0, true, ['ID_CARD'], '公共服务', ['SELF_SERVICE', 'ONLINE']],
    ['社会保障卡申领', 'I', 0, true, ['ID_CARD', 'PHOTO'], '公共服务'],
    ['社会保障卡挂失与解挂', 'I', 0, true, ['ID_CARD'], '公共服务', ['ONLINE']],
    ['社会保障卡补换', 'P', 5, false, ['ID_CARD', 'PHOTO'], '公共服务'],
    ['城乡居民基本养老保险参保登记', 'I', 0, true, ['ID_CARD', 'HOUSEHOLD_REGISTER'], '公共服务'],
    ['城乡居民养老保险待遇申领', 'P', 10, false, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'BANK_ACCOUNT', 'APPLICATION_FORM'], '行政给付'],
    ['城镇职工基本养老金申领', 'P', 15, false, ['ID_CARD', 'SOCIAL_SECURITY_CARD', 'APPLICATION_FORM'], '行政给付'],
    ['养老保险关系转移接续', 'P', 15, false, ['ID_CARD', 'APPLICATION_FORM'], '公共服务'],
    ['失业保险金申领', 'P', 10, false, ['ID_CARD', 'SOCIAL_SECURITY_CARD', 'EMPLOYMENT_PROOF'], '行政给付'],
    ['失业登记', 'I', 0, true, ['ID_CARD'], '公共服务'],
    ['就业登记', 'I', 0, false, ['ID_CARD', 'EMPLOYMENT_PROOF'], '公共服务'],
    ['《就业创业证》申领', 'I', 0, true, ['ID_CARD', 'PHOTO'], '公共服务'],
    ['灵活就业人员参保登记', 'I', 0, false, ['ID_CARD', 'HOUSEHOLD_REGISTER'], '公共服务'],
    ['个人参保信息变更', 'I', 0, false, ['ID_CARD'], '公共服务', ['ONLINE']],
    ['参保缴费证明开具', 'I', 0, false, ['ID_CARD'], '公共服务', ['SELF_SERVICE']],
    ['丧葬补助金、抚恤金申领', 'P', 10, false, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'APPLICATION_FORM'], '行政给付'],
    ['个人账户一次性待遇申领', 'P', 15, false, ['ID_CARD', 'BANK_ACCOUNT', 'APPLICATION_FORM'], '行政给付'],
    ['领取待遇资格认证', 'I', 0, true, ['ID_CARD'], '确认', ['SELF_SERVICE']],
    ['工伤认定申请', 'P', 30, false, ['ID_CARD', 'DIAGNOSIS', 'EMPLOYMENT_PROOF', 'APPLICATION_FORM'], '确认'],
    ['工伤医疗费用报销', 'P', 20, false, ['ID_CARD', 'MEDICAL_INVOICES'], '行政给付'],
    ['生育津贴申领', 'P', 10, false, ['ID_CARD', 'BIRTH_MEDICAL_CERT', 'BANK_ACCOUNT'], '行政给付'],
    ['职业技能培训补贴申领', 'P', 15, false, ['ID_CARD', 'BANK_ACCOUNT', 'APPLICATION_FORM'], '行政给付'],
    ['社会保险费补缴', 'P', 10, false, ['ID_CARD', 'EMPLOYMENT_PROOF'], '其他行政权力'],
    ['退休人员基本信息变更', 'I', 0, false, ['ID_CARD'], '公共服务'],
    ['社会保险待遇发放账户变更', 'I', 0, false, ['ID_CARD', 'BANK_ACCOUNT'], '公共服务'],
    ['养老保险个人权益记录查询', 'I', 0, false, ['ID_CARD'], '公共服务', ['SELF_SERVICE', 'ONLINE']],
    ['就业困难人员认定', 'P', 10, false, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'APPLICATION_FORM'], '确认'],
    ['公益性岗位补贴申领', 'P', 15, false, ['ID_CARD', 'EMPLOYMENT_PROOF'], '行政给付'],
  ],
  'medical-insurance': [
    ['变更定点医疗机构', 'I', 0, true, ['ID_CARD', 'MEDICAL_INSURANCE_CERT'], '公共服务', ['ONLINE']],
    ['查询定点医疗机构', 'I', 0, false, ['ID_CARD'], '公共服务', ['SELF_SERVICE', 'ONLINE']],
    ['医药费用手工报销', 'P', 20, true, ['ID_CARD', 'MEDICAL_INSURANCE_CERT', 'MEDICAL_INVOICES', 'DIAGNOSIS', 'BANK_ACCOUNT'], '行政给付'],
    ['城乡居民基本医疗保险参保登记', 'I', 0, true, ['ID_CARD', 'HOUSEHOLD_REGISTER'], '公共服务'],
    ['城乡居民医疗保险参保信息变更', 'I', 0, true, ['ID_CARD'], '公共服务'],
    ['门诊慢特病待遇认定', 'P', 15, true, ['ID_CARD', 'MEDICAL_INSURANCE_CERT', 'DIAGNOSIS'], '确认'],
    ['异地就医备案', 'I', 0, true, ['ID_CARD', 'MEDICAL_INSURANCE_CERT'], '公共服务', ['ONLINE']],
    ['医保电子凭证激活指导', 'I', 0, true, ['ID_CARD'], '公共服务'],
    ['转外就医备案', 'I', 0, false, ['ID_CARD', 'DIAGNOSIS'], '公共服务'],
    ['生育医疗费用报销', 'P', 20, false, ['ID_CARD', 'MEDICAL_INVOICES', 'BIRTH_MEDICAL_CERT'], '行政给付'],
    ['职工医保个人账户家庭共济备案', 'I', 0, false, ['ID_CARD', 'HOUSEHOLD_REGISTER'], '公共服务'],
    ['医疗保险关系转移接续', 'P', 15, false, ['ID_CARD', 'APPLICATION_FORM'], '公共服务'],
    ['参保缴费凭证打印', 'I', 0, false, ['ID_CARD'], '公共服务', ['SELF_SERVICE']],
    ['新生儿参保登记', 'I', 0, true, ['BIRTH_MEDICAL_CERT', 'HOUSEHOLD_REGISTER'], '公共服务'],
    ['大学生参保登记', 'I', 0, false, ['ID_CARD'], '公共服务'],
    ['医疗救助申请', 'P', 20, false, ['ID_CARD', 'LOW_INCOME_CERT', 'MEDICAL_INVOICES'], '行政给付'],
    ['长期护理保险待遇申请', 'P', 20, false, ['ID_CARD', 'DIAGNOSIS', 'APPLICATION_FORM'], '行政给付'],
    ['医保待遇享受状态查询', 'I', 0, false, ['ID_CARD'], '公共服务', ['SELF_SERVICE', 'ONLINE']],
    ['居民医保缴费基数核定', 'I', 0, false, ['ID_CARD'], '其他行政权力'],
    ['灵活就业人员医保参保登记', 'I', 0, false, ['ID_CARD', 'HOUSEHOLD_REGISTER'], '公共服务'],
    ['医保定点药店变更', 'I', 0, false, ['ID_CARD', 'MEDICAL_INSURANCE_CERT'], '公共服务'],
    ['特殊药品待遇备案', 'P', 10, false, ['ID_CARD', 'DIAGNOSIS'], '确认'],
  ],
  'civil-affairs': [
    ['最低生活保障申请', 'P', 30, true, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'INCOME_PROOF', 'APPLICATION_FORM'], '行政给付'],
    ['低保边缘家庭认定', 'P', 30, false, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'INCOME_PROOF'], '确认'],
    ['特困人员救助供养申请', 'P', 30, false, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'INCOME_PROOF', 'APPLICATION_FORM'], '行政给付'],
    ['临时救助申请', 'P', 15, true, ['ID_CARD', 'INCOME_PROOF', 'APPLICATION_FORM'], '行政给付'],
    ['高龄老年人津贴申领', 'I', 0, true, ['ID_CARD', 'BANK_ACCOUNT'], '行政给付'],
    ['老年人优待证办理', 'I', 0, true, ['ID_CARD', 'PHOTO'], '公共服务'],
    ['居家养老服务补贴申请', 'P', 15, false, ['ID_CARD', 'APPLICATION_FORM'], '行政给付'],
    ['困难老年人养老服务补贴', 'P', 15, false, ['ID_CARD', 'LOW_INCOME_CERT'], '行政给付'],
    ['婚姻登记预约', 'I', 0, false, ['ID_CARD', 'HOUSEHOLD_REGISTER'], '公共服务', ['ONLINE']],
    ['婚姻登记记录证明', 'I', 0, false, ['ID_CARD'], '公共服务'],
    ['孤儿基本生活费申领', 'P', 20, false, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'APPLICATION_FORM'], '行政给付'],
    ['事实无人抚养儿童认定', 'P', 20, false, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'APPLICATION_FORM'], '确认'],
    ['低保家庭信息变更', 'I', 0, false, ['ID_CARD', 'LOW_INCOME_CERT'], '公共服务'],
    ['城乡低收入家庭认定', 'P', 30, false, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'INCOME_PROOF'], '确认'],
    ['殡葬补贴申领', 'I', 0, false, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'BANK_ACCOUNT'], '行政给付'],
    ['养老机构入住评估申请', 'P', 10, false, ['ID_CARD', 'DIAGNOSIS'], '公共服务'],
    ['老年人能力综合评估', 'P', 10, false, ['ID_CARD', 'APPLICATION_FORM'], '公共服务'],
    ['社会救助家庭经济状况核对授权', 'I', 0, false, ['ID_CARD', 'APPLICATION_FORM'], '其他行政权力'],
    ['冬季取暖补贴申领', 'I', 0, false, ['ID_CARD', 'LOW_INCOME_CERT'], '行政给付'],
    ['价格临时补贴发放查询', 'I', 0, false, ['ID_CARD'], '公共服务'],
    ['残疾人两项补贴资格复核（民政）', 'I', 0, false, ['ID_CARD', 'DISABILITY_CERT'], '确认'],
    ['低保年度复核材料提交', 'I', 0, false, ['ID_CARD', 'INCOME_PROOF'], '其他行政权力'],
    ['慈善救助申请转介', 'I', 0, false, ['ID_CARD', 'APPLICATION_FORM'], '公共服务'],
    ['流浪乞讨人员救助协助', 'I', 0, false, ['APPLICATION_FORM'], '公共服务'],
    ['居民经济状况证明开具', 'I', 0, false, ['ID_CARD', 'HOUSEHOLD_REGISTER'], '公共服务'],
    ['老年人意外伤害保险投保', 'I', 0, false, ['ID_CARD'], '公共服务'],
  ],
  health: [
    ['独生子女父母光荣证办理', 'I', 0, true, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'MARRIAGE_CERT'], '确认'],
    ['独生子女父母奖励申领', 'I', 0, true, ['ID_CARD', 'ONE_CHILD_CERT', 'BANK_ACCOUNT'], '行政给付'],
    ['计划生育家庭特别扶助申请', 'P', 20, true, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'ONE_CHILD_CERT', 'APPLICATION_FORM'], '行政给付'],
    ['农村部分计划生育家庭奖励扶助', 'P', 20, false, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'APPLICATION_FORM'], '行政给付'],
    ['生育登记', 'I', 0, true, ['ID_CARD', 'MARRIAGE_CERT'], '公共服务', ['ONLINE']],
    ['再生育审批（特殊情形）', 'P', 20, false, ['ID_CARD', 'MARRIAGE_CERT', 'HOUSEHOLD_REGISTER', 'APPLICATION_FORM'], '其他行政权力'],
    ['出生医学证明补发', 'P', 10, false, ['ID_CARD', 'HOUSEHOLD_REGISTER'], '公共服务'],
    ['出生医学证明首次签发', 'I', 0, false, ['ID_CARD', 'MARRIAGE_CERT'], '公共服务'],
    ['母婴保健技术服务登记', 'I', 0, false, ['ID_CARD'], '公共服务'],
    ['孕产妇健康管理建册', 'I', 0, false, ['ID_CARD'], '公共服务'],
    ['0-6岁儿童预防接种证办理', 'I', 0, false, ['BIRTH_MEDICAL_CERT'], '公共服务'],
    ['计划生育手术并发症鉴定', 'P', 30, false, ['ID_CARD', 'DIAGNOSIS', 'APPLICATION_FORM'], '确认'],
    ['婚前医学检查预约', 'I', 0, false, ['ID_CARD'], '公共服务', ['ONLINE']],
    ['家庭医生签约', 'I', 0, false, ['ID_CARD'], '公共服务'],
    ['老年人健康体检预约', 'I', 0, false, ['ID_CARD'], '公共服务'],
    ['计划生育特殊家庭就医绿色通道登记', 'I', 0, false, ['ID_CARD', 'ONE_CHILD_CERT'], '公共服务'],
    ['流动人口婚育证明（电子）', 'I', 0, false, ['ID_CARD'], '公共服务', ['ONLINE']],
    ['独生子女死亡伤残家庭一次性补助', 'P', 20, false, ['ID_CARD', 'ONE_CHILD_CERT', 'BANK_ACCOUNT'], '行政给付'],
  ],
  'disabled-persons': [
    ['残疾人证新办', 'P', 20, true, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'PHOTO', 'DISABILITY_ASSESSMENT'], '确认'],
    ['残疾人证换领', 'P', 15, true, ['ID_CARD', 'DISABILITY_CERT', 'PHOTO'], '确认'],
    ['残疾人证迁移', 'P', 10, false, ['ID_CARD', 'DISABILITY_CERT', 'HOUSEHOLD_REGISTER'], '公共服务'],
    ['残疾人证挂失补办', 'P', 10, false, ['ID_CARD', 'PHOTO'], '公共服务'],
    ['困难残疾人生活补贴申请', 'P', 20, true, ['ID_CARD', 'DISABILITY_CERT', 'LOW_INCOME_CERT', 'BANK_ACCOUNT'], '行政给付'],
    ['重度残疾人护理补贴申请', 'P', 20, true, ['ID_CARD', 'DISABILITY_CERT', 'BANK_ACCOUNT'], '行政给付'],
    ['残疾人辅助器具适配申请', 'P', 15, false, ['ID_CARD', 'DISABILITY_CERT', 'APPLICATION_FORM'], '公共服务'],
    ['残疾人机动轮椅车燃油补贴', 'I', 0, false, ['ID_CARD', 'DISABILITY_CERT', 'BANK_ACCOUNT'], '行政给付'],
    ['残疾人居家托养服务补贴', 'P', 15, false, ['ID_CARD', 'DISABILITY_CERT'], '行政给付'],
    ['残疾儿童康复救助申请', 'P', 15, false, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'DIAGNOSIS'], '行政给付'],
    ['残疾人就业登记', 'I', 0, false, ['ID_CARD', 'DISABILITY_CERT'], '公共服务'],
    ['残疾人职业培训报名', 'I', 0, false, ['ID_CARD', 'DISABILITY_CERT'], '公共服务'],
    ['残疾人家庭无障碍改造申请', 'P', 20, false, ['ID_CARD', 'DISABILITY_CERT', 'APPLICATION_FORM'], '公共服务'],
    ['残疾人信息变更', 'I', 0, false, ['ID_CARD', 'DISABILITY_CERT'], '公共服务'],
    ['残疾学生助学补贴', 'P', 15, false, ['ID_CARD', 'DISABILITY_CERT', 'BANK_ACCOUNT'], '行政给付'],
    ['残疾人免费乘车卡办理', 'I', 0, false, ['ID_CARD', 'DISABILITY_CERT', 'PHOTO'], '公共服务'],
  ],
  population: [
    ['户籍证明开具', 'I', 0, false, ['ID_CARD', 'HOUSEHOLD_REGISTER'], '公共服务'],
    ['居住证信息登记', 'I', 0, false, ['ID_CARD'], '公共服务'],
    ['居民身份证申领受理', 'P', 20, false, ['HOUSEHOLD_REGISTER', 'PHOTO'], '其他行政权力'],
    ['临时身份证明开具', 'I', 0, false, ['HOUSEHOLD_REGISTER'], '公共服务'],
    ['户籍信息变更更正受理', 'P', 20, false, ['ID_CARD', 'HOUSEHOLD_REGISTER', 'APPLICATION_FORM'], '其他行政权力'],
    ['亲属关系证明', 'I', 0, false, ['ID_CARD', 'HOUSEHOLD_REGISTER'], '公共服务'],
    ['出生登记受理', 'P', 5, false, ['BIRTH_MEDICAL_CERT', 'HOUSEHOLD_REGISTER', 'MARRIAGE_CERT'], '其他行政权力'],
    ['死亡注销户口受理', 'I', 0, false, ['HOUSEHOLD_REGISTER', 'APPLICATION_FORM'], '其他行政权力'],
  ],
};

// 153 items: each department's list is padded to its size with progress inquiries (immediate)
// and, for six promised items, their by-proxy variant (代办, with a power of attorney).
const TARGET: Record<string, number> = { 'social-insurance': 36, 'medical-insurance': 28, 'civil-affairs': 33, health: 21, 'disabled-persons': 20, population: 15 };
const PROXY_VARIANTS = 6;
let proxies = 0;
const items: Item[] = [];
for (const [department, specs] of Object.entries(SPECS)) {
  const list = [...specs];
  for (let i = 0; list.length < TARGET[department]!; i++) {
    const base = specs[i % specs.length]!;
    if (base[1] === 'P' && proxies < PROXY_VARIANTS) {
      proxies++;
      list.push([`${base[0]}（代办）`, 'P', base[2], false, [...base[4], 'AUTHORIZATION'], base[5]]);
    } else list.push([`${base[0]}办理进度查询`, 'I', 0, false, ['ID_CARD'], '公共服务', ['ONLINE']]);
  }
  list.forEach(([name, mode, days, station, mats, itemType, extra], i) => {
    items.push({
      code: `${PREFIX[department]}-${String(i + 1).padStart(4, '0')}`,
      name,
      department,
      itemType: itemType ?? '公共服务',
      handlingMode: mode === 'I' ? 'IMMEDIATE' : 'PROMISED',
      promisedWorkingDays: mode === 'I' ? 0 : days,
      legalWorkingDays: mode === 'I' ? null : days * 2,
      maxVisits: mode === 'I' ? 1 : name.includes('认定') || name.includes('鉴定') ? 2 : 1,
      channels: ['WINDOW', ...(station ? ['STATION'] : []), ...(extra ?? [])],
      fee: 0,
      materials: mats.map((k) => ({ ...M[k] })) as Material[],
      sample: true,
    });
  });
}

const immediate = items.filter((i) => i.handlingMode === 'IMMEDIATE').length;
const station = items.filter((i) => i.channels.includes('STATION')).length;
if (items.length !== 153 || immediate !== 95 || station !== 27) {
  throw new Error(`sample catalogue shape is off: ${items.length} items, ${immediate} immediate, ${station} station`);
}
const file = fileURLToPath(new URL('../../mocks/catalogue/sample-catalogue.json', import.meta.url));
writeFileSync(file, JSON.stringify({ sample: true, note: 'SAMPLE DATA: plausible items for development and tests, not an official catalogue', items }, null, 1) + '\n');
console.log(`wrote ${file}: ${items.length} items, ${immediate} IMMEDIATE, ${station} open to stations`);
