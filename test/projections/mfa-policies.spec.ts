/**
 * The mfa_policies projection on a real (SQLite) read store, event by event: a policy applied to
 * a big tenant writes per distinct set of roles, not per member (so its projection page stays
 * small on MongoDB too), and the grace-period start it yields at read time (requirementOf) keeps
 * the rule "since when MFA has been required without interruption" through policy edits, role
 * changes, and a policy that moves from one of a member's roles to another.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StoredEvent } from '../../src/eventstore/event-store.port.js';
import type { Collection, Doc, ReadStoreTx } from '../../src/readstore/read-store.port.js';
import { SqliteReadStore } from '../../src/readstore/sqlite-read-store.js';
import {
  mfaPoliciesProjection,
  requirementId,
  requirementOf,
  roleClassId,
  type MfaPolicyView,
  type MfaRequirementView,
  type MfaRoleClassView,
} from '../../projections/mfa-policies.js';

const T1 = 'tenant-1';
const T2 = 'tenant-2';

describe('mfa_policies projection', () => {
  let dir: string;
  let store: SqliteReadStore;
  let position = 0;
  let writes = 0;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-proj-'));
    store = new SqliteReadStore(path.join(dir, 'read.sqlite'));
    for (const c of mfaPoliciesProjection.collections) await store.ensureCollection(c);
    position = 0;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The transaction, counting the document writes the projection makes through it. */
  const counted = (tx: ReadStoreTx): ReadStoreTx => ({
    ...tx,
    getCheckpoint: (n) => tx.getCheckpoint(n),
    setCheckpoint: (n, p) => tx.setCheckpoint(n, p),
    dropCollection: (n) => tx.dropCollection(n),
    collection<T extends Doc = Doc>(name: string): Collection<T> {
      const c = tx.collection<T>(name);
      const count =
        <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
        (...a: A) => (writes++, f(...a));
      return {
        name: c.name,
        get: (id) => c.get(id),
        find: (q) => c.find(q),
        count: (w) => c.count(w),
        upsert: count(c.upsert.bind(c)),
        patch: count(c.patch.bind(c)),
        delete: count(c.delete.bind(c)),
        deleteWhere: count(c.deleteWhere.bind(c)),
      };
    },
  });

  const at = (day: number) => new Date(Date.UTC(2026, 0, 1 + day)).toISOString();
  async function apply(type: string, data: Record<string, unknown>, day: number): Promise<number> {
    const event: StoredEvent = {
      id: `e${++position}`,
      type,
      stream: 's',
      version: 0,
      position,
      occurred_at: at(day),
      data,
      metadata: {},
      schema_version: 1,
    };
    writes = 0;
    await store.transaction((tx) => mfaPoliciesProjection.apply(event, counted(tx)));
    return writes;
  }
  const policy = (tenant_id: string, required_roles: string[], day: number) =>
    apply(
      'MfaPolicySet',
      {
        tenant_id,
        required_roles,
        allowed_methods: ['totp'],
        grace_period_days: 14,
        fresh_window_seconds: 300,
        set_by: 'admin',
        previous: null,
      },
      day,
    );
  const join = (tenant_id: string, user_id: string, roles: string[], day: number) =>
    apply('MembershipGranted', { tenant_id, user_id, roles }, day);
  const change = (tenant_id: string, user_id: string, roles: string[], day: number) =>
    apply('MemberRolesChanged', { tenant_id, user_id, roles, previous_roles: [] }, day);

  async function requirement(tenant: string, user: string) {
    const member = await store.collection<MfaRequirementView>('mfa_requirements').get(requirementId(tenant, user));
    const p = await store.collection<MfaPolicyView>('mfa_policies').get(tenant);
    const cls = member ? await store.collection<MfaRoleClassView>('mfa_role_classes').get(roleClassId(tenant, member.roles)) : null;
    return requirementOf(member, cls, p);
  }

  it('writes per distinct set of roles, not per member, when a policy reaches a big tenant', async () => {
    for (let i = 0; i < 300; i++) await join(T1, `u${i}`, i % 3 === 0 ? ['member', 'treasurer'] : ['member'], 0);
    await join(T2, 'other', ['member', 'treasurer'], 0);

    expect(await policy(T1, ['treasurer'], 1)).toBeLessThanOrEqual(2); // the policy, and the one class it now covers
    expect(await policy(T1, ['treasurer'], 2)).toBe(1); // an edit that changes no answer: the policy only

    expect(await requirement(T1, 'u0')).toEqual({ required_by_roles: ['treasurer'], required_since: at(1) });
    expect(await requirement(T1, 'u1')).toEqual({ required_by_roles: [], required_since: null });
    expect(await requirement(T2, 'other')).toEqual({ required_by_roles: [], required_since: null }); // no policy in T2
  });

  it('keeps the start through policy edits and role changes while MFA stays required', async () => {
    await policy(T1, ['treasurer'], 0);
    await join(T1, 'kassor', ['treasurer'], 1);
    expect(await requirement(T1, 'kassor')).toEqual({ required_by_roles: ['treasurer'], required_since: at(1) });
    await policy(T1, ['treasurer', 'coach'], 3);
    await change(T1, 'kassor', ['coach', 'treasurer'], 4);
    await policy(T1, ['coach'], 5); // moves from one of the member's roles to another: no interruption
    expect(await requirement(T1, 'kassor')).toEqual({ required_by_roles: ['coach'], required_since: at(1) });
  });

  it('restarts the grace period after an interruption, whether by the policy or by the roles', async () => {
    await join(T1, 'a', ['admin'], 0);
    await join(T1, 'b', ['admin'], 0);
    await policy(T1, ['admin'], 1);
    await policy(T1, [], 2);
    expect(await requirement(T1, 'a')).toEqual({ required_by_roles: [], required_since: null });
    await policy(T1, ['admin'], 3);
    expect(await requirement(T1, 'a')).toEqual({ required_by_roles: ['admin'], required_since: at(3) });

    await change(T1, 'b', ['member'], 4);
    expect(await requirement(T1, 'b')).toEqual({ required_by_roles: [], required_since: null });
    await change(T1, 'b', ['admin'], 6);
    expect(await requirement(T1, 'b')).toEqual({ required_by_roles: ['admin'], required_since: at(6) });
    expect(await requirement(T1, 'a')).toEqual({ required_by_roles: ['admin'], required_since: at(3) });
  });

  it('starts a new set of roles, or a member who joins later, at that event', async () => {
    await policy(T1, ['treasurer'], 0);
    await join(T1, 'late', ['member'], 2);
    await change(T1, 'late', ['member', 'treasurer'], 5); // a set no member had before
    expect(await requirement(T1, 'late')).toEqual({ required_by_roles: ['treasurer'], required_since: at(5) });
    await join(T1, 'later', ['member', 'treasurer'], 7); // the same set, later
    expect(await requirement(T1, 'later')).toEqual({ required_by_roles: ['treasurer'], required_since: at(7) });
    expect(await requirement(T1, 'nobody')).toEqual({ required_by_roles: [], required_since: null });
  });
});
