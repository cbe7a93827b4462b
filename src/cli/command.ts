import type { ParseArgsConfig } from 'node:util';
import type { AppConfig } from '../config/config.js';
import type { EventStore } from '../eventstore/event-store.port.js';
import type { ReadStore } from '../readstore/read-store.port.js';
import type { Clock } from '../shared/clock.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/**
 * What a command gets: configuration and the stores opened lazily from it, with the same
 * adapter choice as the server. Reactors and the job queue are never started by the CLI.
 */
export interface CliContext {
  readonly config: AppConfig;
  readonly clock: Clock;
  events(): Promise<EventStore>;
  reads(): Promise<ReadStore>;
  out(line?: string): void;
  err(line?: string): void;
  /** Raw stderr write without a newline (progress bars). */
  writeErr(text: string): void;
  /** stderr is a terminal (progress bars redraw in place). */
  readonly interactive: boolean;
}

export interface CliCommand {
  name: string;
  /** Argument synopsis after the name, e.g. `<stream> [--json]`. */
  synopsis: string;
  summary: string;
  options?: OptionSpec;
  /** Checks positionals; return an error message for a usage error (exit 2). */
  validate?(args: ParsedArgs): string | null;
  /** Resolves to the exit code. */
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

/** Thrown by a command for bad arguments discovered late (e.g. an unknown projection): exit 2 with usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
