// shared by the benchmarks that seed stores with bulk SQL

/**
 * order_stages rows as the default labflow leaves them for every seeded order: earlier
 * stages completed, the current one unassigned / pending / in progress, later ones
 * unassigned; a cancelled order was cancelled from created
 */
export const SEED_STAGES_SQL = `        WITH flow AS (
          SELECT st->>'code' AS code, (st->>'position')::int AS pos
          FROM labflows, jsonb_array_elements(stages) st WHERE id = 'system-clinical-v1'
        ), staged AS (
          SELECT o.id, o.created_by, o.updated_at, f.code, f.pos,
                 CASE
                   WHEN o.status = 'cancelled' THEN CASE f.code WHEN 'created' THEN 'skipped' WHEN 'cancelled' THEN 'completed' ELSE 'unassigned' END
                   WHEN o.status = 'completed' THEN CASE WHEN f.code = 'cancelled' THEN 'unassigned' ELSE 'completed' END
                   WHEN f.pos < cur.pos THEN 'completed'
                   WHEN f.pos = cur.pos THEN (ARRAY['unassigned','pending','in_progress'])[1 + abs(hashtext(o.display_id)) % 3]
                   ELSE 'unassigned'
                 END AS state
          FROM orders o JOIN flow cur ON cur.code = o.status CROSS JOIN flow f
        )
        INSERT INTO order_stages (order_id, stage_code, position, state, assignee_id, updated_at)
        SELECT id, code, pos, state,
               CASE WHEN state = 'unassigned' OR code IN ('completed', 'cancelled') THEN NULL ELSE created_by END,
               updated_at
        FROM staged`;
