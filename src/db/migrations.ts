/**
 * Schema migrations, applied in order at start, each in its own transaction, once (recorded in
 * schema_migrations). An advisory lock keeps two replicas starting together from racing.
 * Append new migrations; never edit one that has shipped.
 */
import type { Db } from './db.js';

export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'catalogue, calendar, cases, events, materials, outbox',
    sql: `
create table service_items (
  code text primary key,
  name text not null,
  department text not null,
  item_type text not null,
  handling_mode text not null check (handling_mode in ('IMMEDIATE', 'PROMISED')),
  promised_working_days int not null check (promised_working_days >= 0),
  legal_working_days int check (legal_working_days is null or legal_working_days >= 0),
  max_visits int not null check (max_visits >= 0),
  channels text[] not null,
  fee numeric(10, 2) not null default 0,
  materials jsonb not null,
  sample boolean not null default false,
  imported_at timestamptz not null default now()
);
create index service_items_department on service_items (department);

-- Working-day calendar: exceptions to "Monday to Friday" (public holidays, make-up working days).
create table calendar_days (
  day date primary key,
  kind text not null check (kind in ('HOLIDAY', 'WORKDAY')),
  name text not null
);
create function is_working_day(d date) returns boolean language sql stable as $$
  select coalesce((select kind = 'WORKDAY' from calendar_days where day = d), extract(isodow from d) < 6)
$$;

create sequence case_no_seq;
create table cases (
  case_no text primary key,
  idempotency_key text not null unique,
  request_hash text not null,
  service_item_code text not null references service_items (code),
  department text not null,
  applicant_id_number text not null,
  channel text not null,
  handling_mode text not null,
  status text not null,
  outcome text,
  received_at timestamptz not null,
  accepted_at timestamptz,
  promised_by timestamptz,
  paused_at timestamptz,
  completed_at timestamptz,
  delivered_at timestamptz,
  window_code text,
  station_code text,
  deferred_material_codes text[] not null default '{}',
  supplement_deadline timestamptz,
  form_data jsonb,
  department_ref text,
  visits int not null default 1,
  rating text,
  rating_comment text,
  updated_at timestamptz not null default now()
);
create index cases_applicant on cases (applicant_id_number);
create index cases_status on cases (status);
create index cases_received on cases (received_at, case_no);

create table case_events (
  id bigserial primary key,
  case_no text not null references cases (case_no),
  at timestamptz not null default now(),
  type text not null,
  from_status text,
  to_status text,
  actor text not null,
  place text,
  note text
);
create index case_events_case on case_events (case_no, id);

create table case_materials (
  case_no text not null references cases (case_no),
  code text not null,
  reference text not null,
  form text not null,
  provenance text not null,
  sha256 text,
  added_at timestamptz not null default now(),
  primary key (case_no, code, reference)
);

create table outbox (
  id bigserial primary key,
  case_no text not null references cases (case_no),
  department text not null,
  state text not null check (state in ('PENDING', 'SENT', 'ACKNOWLEDGED', 'FAILED')),
  attempts int not null default 0,
  last_error text,
  next_attempt_at timestamptz not null default now(),
  locked_until timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (case_no)
);
create index outbox_due on outbox (next_attempt_at) where state in ('PENDING', 'SENT');
`,
  },
  {
    version: 2,
    name: 'department credentials and the adapter registry',
    sql: `
create table department_credentials (
  id text primary key,
  department text not null,
  secret_sha256 text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create table adapters (
  id text primary key,
  department text not null,
  department_name text not null,
  base_url text not null,
  contract_version text not null,
  registration jsonb not null,
  registered_at timestamptz not null default now(),
  deregistered_at timestamptz,
  unique (department, base_url)
);
create index adapters_active on adapters (department) where deregistered_at is null;
`,
  },
  {
    version: 3,
    name: 'audit log (append-only, hash-chained)',
    sql: `
create table audit_log (
  seq bigserial primary key,
  at timestamptz not null,
  request_id text not null,
  actor text not null,
  role text not null,
  operation text not null,
  subject_hash text,
  fields text[] not null default '{}',
  purpose text not null,
  outcome text not null,
  prev_hash text not null,
  hash text not null
);
create index audit_log_at on audit_log (at);
create index audit_log_subject on audit_log (subject_hash);
`,
  },
  {
    version: 4,
    name: 'unmasking grants',
    sql: `
create table unmask_grants (
  id text primary key,
  subject text not null,
  reason text not null,
  granted_by text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz
);
`,
  },
  {
    version: 5,
    name: 'correction requests (补齐补正) and not-accepted decisions (不予受理)',
    sql: `
alter table cases add column correction_gaps jsonb;
alter table cases add column correction_deadline timestamptz;
alter table cases add column not_accepted_reason text;
alter table cases add column appeal_notice text;
create index outbox_failed on outbox (case_no) where state = 'FAILED';
`,
  },
  {
    version: 6,
    name: 'who revoked an unmasking grant',
    sql: `alter table unmask_grants add column revoked_by text;`,
  },
  {
    version: 7,
    name: 'when a department was last asked about an open case (fair status sync)',
    sql: `
alter table cases add column status_checked_at timestamptz;
create index cases_status_check on cases (status_checked_at nulls first, updated_at) where status in ('FORWARDED', 'IN_REVIEW', 'SUSPENDED');
`,
  },
  {
    version: 8,
    name: 'indexes for what runs on a timer: the outbox rows still in play (metrics), overdue 容缺 and 补正 cases (the sweep)',
    sql: `
create index outbox_open on outbox (state) where state <> 'ACKNOWLEDGED';
create index cases_deficiency_due on cases (supplement_deadline) where cardinality(deferred_material_codes) > 0 and status in ('ACCEPTED_WITH_DEFICIENCY', 'FORWARDED', 'IN_REVIEW', 'SUSPENDED');
create index cases_correction_due on cases (correction_deadline) where status = 'CORRECTION_REQUESTED';
`,
  },
];

export async function migrate(db: Db): Promise<number[]> {
  await db.query('create table if not exists schema_migrations (version int primary key, name text not null, applied_at timestamptz not null default now())');
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    const done = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(72431)');
      const seen = await tx.query('select 1 from schema_migrations where version = $1', [m.version]);
      if (seen.rows.length) return false;
      await tx.exec(m.sql);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}
