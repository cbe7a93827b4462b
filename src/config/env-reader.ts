type Env = Record<string, string | undefined>;

/** Reads an integer variable within [min, max]; a bad value is recorded as a problem naming the variable. */
export function intReader(env: Env, problems: string[]) {
  return (name: string, def: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return def;
    }
    return n;
  };
}
