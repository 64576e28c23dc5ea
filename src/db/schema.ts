import { SLUG_SQL } from '../core/index.ts';
import type { Sql } from './sql.ts';
import { DOC_STORE_MIGRATION_SQL } from '../sync-server/transport/doc-store.ts';
import { VCF_CACHE_V1_SQL, VCF_CACHE_V2_SQL, VCF_CACHE_V3_SQL } from '../vcf/schema.ts';

// the same SQL runs on PGlite and on PostgreSQL 15+

const CORE = `
CREATE TABLE projects (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  org_id text,
  settings jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE departments (id text PRIMARY KEY, name text NOT NULL);
CREATE TABLE users (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  display_name text NOT NULL,
  superadmin boolean NOT NULL DEFAULT false,
  org_role text,
  department_id text,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);
-- only hashes of personal access tokens are stored
CREATE TABLE tokens (
  hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE TABLE memberships (
  project_id uuid NOT NULL REFERENCES projects(id),
  user_id uuid NOT NULL REFERENCES users(id),
  role text,
  facility_role text,
  PRIMARY KEY (project_id, user_id)
);
CREATE TABLE labflows (
  id text PRIMARY KEY,
  scope text NOT NULL,
  scope_ref text,
  code text NOT NULL,
  name text NOT NULL,
  version int NOT NULL,
  published boolean NOT NULL,
  immutable boolean NOT NULL,
  parent_id text,
  stages jsonb NOT NULL,
  transitions jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE orders (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects(id),
  display_id text NOT NULL,
  slug text GENERATED ALWAYS AS (${SLUG_SQL}) STORED,
  workflow text NOT NULL,
  status text NOT NULL,
  mode text NOT NULL,
  priority text NOT NULL,
  accession text,
  external_id text,
  description text,
  clinical_indication text,
  ordering_provider text,
  ordering_facility text,
  tags text[] NOT NULL DEFAULT '{}',
  properties jsonb NOT NULL DEFAULT '{}',
  admin_notes text,
  labflow_id text REFERENCES labflows(id),
  created_by uuid NOT NULL,
  department_id text,
  slug_frozen boolean NOT NULL DEFAULT false,
  version int NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX orders_display_id ON orders (project_id, display_id);
CREATE UNIQUE INDEX orders_slug ON orders (project_id, slug);
CREATE INDEX orders_by_created ON orders (project_id, created_at DESC, id);
CREATE INDEX orders_by_status ON orders (project_id, status);
CREATE TABLE samples (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects(id),
  display_id text NOT NULL,
  subject_id text,
  sample_type text NOT NULL,
  specimen_type text,
  sex text,
  fastq_1 text,
  fastq_2 text,
  strandedness text,
  accession text,
  tags text[] NOT NULL DEFAULT '{}',
  properties jsonb NOT NULL DEFAULT '{}',
  qc_result text,
  sample_notes text,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  version int NOT NULL
);
CREATE UNIQUE INDEX samples_display_id ON samples (project_id, display_id);
CREATE TABLE order_samples (
  order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  sample_id uuid NOT NULL REFERENCES samples(id),
  role text NOT NULL,
  PRIMARY KEY (order_id, sample_id)
);
CREATE INDEX order_samples_sample ON order_samples (sample_id);
CREATE TABLE order_stages (
  order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  stage_code text NOT NULL,
  position int NOT NULL,
  state text NOT NULL,
  assignee_id uuid,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (order_id, stage_code)
);
CREATE INDEX order_stages_assignee ON order_stages (assignee_id);
CREATE TABLE status_notes (
  id bigserial PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  kind text NOT NULL,
  from_status text,
  to_status text,
  text text,
  author_id uuid NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX status_notes_order ON status_notes (order_id, id);

-- append-only, hash-chained: each row's hash covers prev_hash and its canonical content
CREATE TABLE stage_transitions (
  seq bigint PRIMARY KEY,
  project_id uuid NOT NULL,
  order_id uuid NOT NULL,
  from_stage text,
  to_stage text NOT NULL,
  from_state text,
  to_state text NOT NULL,
  transition_id text,
  transitioned_by uuid NOT NULL,
  transitioned_at timestamptz NOT NULL,
  notes text,
  tags text[] NOT NULL DEFAULT '{}',
  properties jsonb NOT NULL DEFAULT '{}',
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX stage_transitions_order ON stage_transitions (order_id, seq);
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  project_id uuid,
  at timestamptz NOT NULL,
  actor_id uuid,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text NOT NULL,
  before jsonb,
  after jsonb,
  reason text,
  mid text,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity_id, seq);
CREATE TABLE chain_heads (chain text PRIMARY KEY, seq bigint NOT NULL, hash text NOT NULL);
INSERT INTO chain_heads VALUES ('audit', 0, 'genesis'), ('transitions', 0, 'genesis');

CREATE FUNCTION curio_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP;
END
$$;
CREATE TRIGGER stage_transitions_append_only BEFORE UPDATE OR DELETE ON stage_transitions
  FOR EACH ROW EXECUTE FUNCTION curio_refuse_change();
CREATE TRIGGER stage_transitions_no_truncate BEFORE TRUNCATE ON stage_transitions
  FOR EACH STATEMENT EXECUTE FUNCTION curio_refuse_change();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION curio_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION curio_refuse_change();

-- command processing: one cursor per client, one stored result per command id
CREATE TABLE client_cursors (
  client_id text PRIMARY KEY,
  user_id uuid NOT NULL,
  last_seq bigint NOT NULL DEFAULT 0
);
CREATE SEQUENCE server_seq;
CREATE TABLE command_results (
  mid text PRIMARY KEY,
  client_id text NOT NULL,
  seq bigint NOT NULL,
  project_id uuid,
  user_id uuid,
  command_type text,
  status text NOT NULL,
  code text,
  message text,
  entity_type text,
  entity_id text,
  entity_version int,
  server_seq bigint NOT NULL,
  server_time timestamptz NOT NULL,
  current jsonb
);
CREATE INDEX command_results_server_seq ON command_results (project_id, server_seq);

-- analyses, curations and reports (variants live in the variant cache)
CREATE TABLE analyses (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects(id),
  display_id text NOT NULL,
  order_id uuid REFERENCES orders(id) ON DELETE SET NULL,
  status text NOT NULL,
  pipeline text NOT NULL,
  inputs jsonb NOT NULL DEFAULT '{}',
  outputs jsonb NOT NULL DEFAULT '{}',
  metrics jsonb NOT NULL DEFAULT '{}',
  logs_url text,
  sample_ids uuid[] NOT NULL DEFAULT '{}',
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version int NOT NULL
);
CREATE UNIQUE INDEX analyses_display_id ON analyses (project_id, display_id);
CREATE TABLE curations (
  order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  variant_id text NOT NULL,
  tier_override text,
  acmg_class text,
  reportable boolean,
  note text,
  curated_by uuid NOT NULL,
  curated_at timestamptz NOT NULL,
  version int NOT NULL,
  PRIMARY KEY (order_id, variant_id)
);
CREATE TABLE reports (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  version int NOT NULL,
  status text NOT NULL,
  amends_report_id uuid REFERENCES reports(id),
  amend_reason text,
  variants jsonb NOT NULL DEFAULT '[]',
  summary text,
  signature jsonb,
  rendered_text text,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  row_version int NOT NULL,
  UNIQUE (order_id, version)
);

-- this store's own settings (standalone client id, selected project, …)
CREATE TABLE local_meta (key text PRIMARY KEY, value jsonb NOT NULL);
`;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const SYNC = `
${DOC_STORE_MIGRATION_SQL}
-- a project document is never rebuilt under the same name: a rebuild bumps the epoch
CREATE TABLE project_epochs (project_id uuid PRIMARY KEY, epoch int NOT NULL);
-- a replica's commands waiting for (or answered by) the relay
CREATE TABLE pending (
  mid text PRIMARY KEY,
  seq bigint NOT NULL UNIQUE,
  project_id uuid NOT NULL,
  command jsonb NOT NULL,
  status text NOT NULL,
  result jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'core', sql: CORE },
  { version: 2, name: 'sync', sql: SYNC },
  { version: 3, name: 'variant cache', sql: VCF_CACHE_V1_SQL },
  { version: 4, name: 'variant cache: a table per file, detail beside the store', sql: VCF_CACHE_V2_SQL },
  { version: 5, name: 'variant cache: partitioned unlogged tables, tier key, packed text', sql: VCF_CACHE_V3_SQL },
];

export async function migrate(sql: Sql): Promise<number[]> {
  await sql.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const done = new Set((await sql.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    await sql.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    });
    applied.push(m.version);
  }
  return applied;
}
