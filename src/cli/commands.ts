import type { CliCommand } from './command.js';
import { auditVerifyCommand } from './commands/audit-verify.js';
import { projectionsRebuildCommand, projectionsStatusCommand } from './commands/projections.js';
import { streamReadCommand } from './commands/stream-read.js';
import { bootstrapCommand } from './commands/bootstrap.js';
import { tiersAuditMatrixCommand, tiersExpireAddonsCommand } from './commands/tiers.js';
import { invoicesGenerateCommand } from './commands/invoices.js';

/**
 * Every CLI command by name. To add one (e.g. `bootstrap`), write a CliCommand in
 * ./commands/<name>.ts and add it here; main.ts, usage and argument checking pick it up.
 */
export const COMMANDS: ReadonlyMap<string, CliCommand> = new Map(
  [
    projectionsStatusCommand,
    projectionsRebuildCommand,
    streamReadCommand,
    auditVerifyCommand,
    bootstrapCommand,
    tiersExpireAddonsCommand,
    tiersAuditMatrixCommand,
    invoicesGenerateCommand,
  ].map((c) => [c.name, c] as const),
);
