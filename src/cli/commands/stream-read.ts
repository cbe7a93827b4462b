import type { StoredEvent } from '../../eventstore/event-store.port.js';
import type { CliCommand } from '../command.js';

/** The auditor's view of one event: where it sits, what it says, who caused it, its chain link. */
export function auditView(e: StoredEvent) {
  const { hash, prev_hash, ...metadata } = e.metadata;
  return {
    version: e.version,
    position: e.position,
    id: e.id,
    type: e.type,
    occurred_at: e.occurred_at,
    actor: e.metadata.actor_id ?? null,
    tenant: e.metadata.tenant_id ?? null,
    data: e.data,
    metadata,
    schema_version: e.schema_version,
    hash: hash ?? null,
    prev_hash: prev_hash ?? null,
  };
}

export const streamReadCommand: CliCommand = {
  name: 'stream:read',
  synopsis: '<stream> [--json]',
  summary: "replay one stream as an auditor's view (version, position, type, time, actor, data, hash)",
  options: { json: { type: 'boolean' } },
  validate: ({ positionals }) => (positionals.length === 1 ? null : 'give exactly one stream name'),
  async run({ positionals, values }, ctx) {
    const stream = positionals[0]!;
    const events = await (await ctx.events()).readStream(stream);
    if (events.length === 0) {
      ctx.err(`stream ${stream} not found (no events)`);
      return 1;
    }
    const views = events.map(auditView);
    if (values.json) {
      ctx.out(JSON.stringify(views, null, 2));
      return 0;
    }
    ctx.out(`stream ${stream}: ${events.length} event${events.length === 1 ? '' : 's'}`);
    for (const v of views) {
      ctx.out('');
      ctx.out(`#${v.version}  ${v.type}`);
      ctx.out(`  position     ${v.position}`);
      ctx.out(`  occurred_at  ${v.occurred_at}`);
      ctx.out(`  actor        ${v.actor ?? '-'}${v.tenant ? `  (tenant ${v.tenant})` : ''}`);
      ctx.out(`  event id     ${v.id}`);
      ctx.out(`  data         ${JSON.stringify(v.data)}`);
      const meta = Object.entries(v.metadata).filter(
        ([k, val]) => val !== null && val !== undefined && k !== 'actor_id' && k !== 'tenant_id',
      );
      if (meta.length) ctx.out(`  metadata     ${JSON.stringify(Object.fromEntries(meta))}`);
      ctx.out(`  hash         ${v.hash ?? '-'}`);
      ctx.out(`  prev_hash    ${v.prev_hash ?? '-'}`);
    }
    return 0;
  },
};
