import { humanRate, progressLine, ProgressBar, table } from '../../src/cli/format.js';
import { usage, parseCommandArgs } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { UsageError } from '../../src/cli/command.js';

describe('CLI formatting and argument parsing', () => {
  it('draws the progress line', () => {
    expect(progressLine(520000, 1000000, 85000, 10)).toBe('[#####.....] 52% 520000/1000000 ev 85k ev/s');
    expect(progressLine(0, 0, 0, 4)).toBe('[####] 100% 0/0 ev 0 ev/s');
    expect(humanRate(1_250_000)).toBe('1.3M');
    expect(humanRate(1500)).toBe('1.5k');
  });

  it('redraws in place on a terminal and prints one line per 10% otherwise', () => {
    const piped: string[] = [];
    const bar = new ProgressBar((s) => piped.push(s), false);
    for (let i = 1; i <= 100; i++) bar.update(i * 10, 1000);
    bar.finish(1000, 1000);
    expect(piped).toHaveLength(11); // 0%, 10%, ..., 100%
    expect(piped.every((l) => l.endsWith('\n'))).toBe(true);
    expect(piped.at(-1)).toMatch(/^\[#{20}\] 100% 1000\/1000 ev/);

    const tty: string[] = [];
    const live = new ProgressBar((s) => tty.push(s), true);
    live.update(1, 2);
    live.finish(2, 2);
    expect(tty[0]).toMatch(/^\r\[#{10}\.{10}\] 50%/);
    expect(tty.at(-1)).toBe('\n');
  });

  it('aligns tables', () => {
    expect(
      table(
        ['name', 'lag'],
        [
          ['sessions', 3],
          ['audit', 120],
        ],
        new Set([1]),
      ),
    ).toBe(['name      lag', '--------  ---', 'sessions    3', 'audit     120'].join('\n'));
  });

  it('lists every registered command in the usage and rejects bad arguments', () => {
    for (const name of COMMANDS.keys()) expect(usage()).toContain(name);
    const read = COMMANDS.get('stream:read')!;
    expect(parseCommandArgs(read, ['s-1', '--json'])).toEqual({ positionals: ['s-1'], values: { json: true } });
    expect(() => parseCommandArgs(read, [])).toThrow(UsageError);
    expect(() => parseCommandArgs(read, ['s-1', '--nope'])).toThrow(UsageError);
    const rebuild = COMMANDS.get('projections:rebuild')!;
    expect(() => parseCommandArgs(rebuild, ['x', '--all'])).toThrow(UsageError);
    expect(parseCommandArgs(rebuild, ['--all']).values.all).toBe(true);
  });
});
