#!/usr/bin/env node
/**
 * Operator and auditor CLI: `npm run cli -- <command> [args]`. Opens the stores straight from
 * configuration (same adapters as the server) and never starts reactors or the job queue, so
 * nothing it does can send a mail or an SMS.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.js';
import { createSealingEventStore } from '../privacy/create-sealing-event-store.js';
import type { EventStore } from '../eventstore/event-store.port.js';
import { createReadStore } from '../readstore/create-read-store.js';
import type { ReadStore } from '../readstore/read-store.port.js';
import { SystemClock } from '../shared/clock.js';
import { UsageError, type CliCommand, type CliContext, type ParsedArgs } from './command.js';
import { COMMANDS } from './commands.js';

export function usage(commands: ReadonlyMap<string, CliCommand> = COMMANDS): string {
  const rows = [...commands.values()].map((c) => [`${c.name} ${c.synopsis}`.trim(), c.summary]);
  const width = Math.max(...rows.map(([a]) => a!.length));
  return [
    'Usage: npm run cli -- <command> [arguments]',
    '',
    'Commands:',
    ...rows.map(([a, b]) => `  ${a!.padEnd(width)}  ${b}`),
    '',
    'The stores are chosen by configuration as for the server (DATA_DIR, EVENTSTORE_URL, MONGO_URL).',
  ].join('\n');
}

export function parseCommandArgs(command: CliCommand, argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: command.options ?? {}, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const args: ParsedArgs = { positionals: parsed.positionals, values: parsed.values as ParsedArgs['values'] };
  const problem = command.validate?.(args) ?? null;
  if (problem) throw new UsageError(problem);
  return args;
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const out = (line = '') => void process.stdout.write(`${line}\n`);
  const err = (line = '') => void process.stderr.write(`${line}\n`);
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? err : out)(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.get(name);
  if (!command) {
    err(`Unknown command: ${name}\n`);
    err(usage());
    return 2;
  }

  const opened: { events?: Promise<EventStore>; reads?: Promise<ReadStore> } = {};
  try {
    const args = parseCommandArgs(command, rest);
    const config = loadConfig(env);
    const clock = new SystemClock();
    const ctx: CliContext = {
      config,
      clock,
      events: () => (opened.events ??= createSealingEventStore(config, clock)),
      reads: () => (opened.reads ??= createReadStore(config)),
      out,
      err,
      writeErr: (text) => void process.stderr.write(text),
      interactive: Boolean(process.stderr.isTTY),
    };
    return await command.run(args, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${name}: ${e.message}\n`);
      err(`Usage: npm run cli -- ${command.name} ${command.synopsis}`.trimEnd());
      return 2;
    }
    if (e instanceof ConfigError) {
      err(e.message);
      return 2;
    }
    err(`${name} failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    await Promise.allSettled([opened.events?.then((s) => s.close()), opened.reads?.then((s) => s.close())]);
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
