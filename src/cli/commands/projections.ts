import { ProjectionEngine } from '../../projections-runtime/projection-engine.js';
import type { ProjectionDefinition } from '../../projections-runtime/projection.js';
import { UsageError, type CliCommand, type CliContext } from '../command.js';
import { ProgressBar, humanRate, table } from '../format.js';

/**
 * The CLI's engine: the registered projections only, never started (no subscription, no reactors).
 * The registry pulls in every bounded context, so it is loaded only by the commands that need it.
 */
async function engine(ctx: CliContext, projections?: readonly ProjectionDefinition[]): Promise<ProjectionEngine> {
  const defs = projections ?? (await import('../../../projections/registry.js')).ALL_PROJECTIONS;
  return new ProjectionEngine(await ctx.events(), await ctx.reads(), defs);
}

export const projectionsStatusCommand: CliCommand = {
  name: 'projections:status',
  synopsis: '[--json]',
  summary: 'checkpoint, head and lag of every projection',
  options: { json: { type: 'boolean' } },
  validate: ({ positionals }) => (positionals.length ? `unexpected argument ${positionals[0]}` : null),
  async run({ values }, ctx) {
    const status = await (await engine(ctx)).status();
    if (values.json) {
      ctx.out(JSON.stringify(status, null, 2));
      return 0;
    }
    if (status.length === 0) {
      ctx.out(`no projections registered (head ${await (await ctx.events()).headPosition()})`);
      return 0;
    }
    ctx.out(
      table(
        ['name', 'checkpoint', 'head', 'lag'],
        status.map((s) => [s.name, s.checkpoint, s.head, s.lag_capped ? `${s.lag}+` : s.lag]),
        new Set([1, 2, 3]),
      ),
    );
    return 0;
  },
};

export const projectionsRebuildCommand: CliCommand = {
  name: 'projections:rebuild',
  synopsis: '<name> | --all',
  summary: 'drop a projection read model and replay the whole log into it (reactors never run)',
  options: { all: { type: 'boolean' } },
  validate: ({ positionals, values }) => {
    if (values.all && positionals.length) return 'give a projection name or --all, not both';
    if (!values.all && positionals.length !== 1) return 'give exactly one projection name, or --all';
    return null;
  },
  async run({ positionals, values }, ctx) {
    const eng = await engine(ctx);
    const names = values.all ? eng.definitions.map((p) => p.name) : positionals;
    for (const name of names) {
      if (!eng.definitions.some((p) => p.name === name)) {
        const known = eng.definitions.map((p) => p.name).join(', ') || '(none registered)';
        throw new UsageError(`unknown projection ${name}; known: ${known}`);
      }
    }
    if (names.length === 0) {
      ctx.out('no projections registered; nothing to rebuild');
      return 0;
    }
    await eng.prepare();
    for (const name of names) {
      const started = Date.now();
      const bar = new ProgressBar(ctx.writeErr, ctx.interactive, `${name} `);
      let last = { done: 0, total: 0 };
      const count = await eng.rebuild(name, (done, total) => {
        last = { done, total };
        bar.update(done, total);
      });
      bar.finish(last.done, last.total);
      const secs = (Date.now() - started) / 1000;
      ctx.out(`rebuilt ${name}: ${count} events in ${secs.toFixed(1)} s (${humanRate(count / Math.max(secs, 0.001))} ev/s)`);
    }
    return 0;
  },
};
