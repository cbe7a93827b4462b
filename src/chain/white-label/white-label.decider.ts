import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { conflict } from '../../shared/errors.js';

/**
 * White label (F02.09.05). A chain's branding is one stream, `chain-white-label-{chain_id}`, each
 * PUT one `WhiteLabelConfigured` with the whole configuration. A custom domain is unique across
 * chains through its own reservation stream, `chain-domain-{host}` (as e-mail addresses are in
 * identity): a claim is decided against that stream's version, so of two chains claiming one
 * domain at the same moment exactly one wins.
 */
export interface WhiteLabel {
  app_name: string;
  colors: { primary: string; secondary: string; accent: string };
  logo_url: string;
  icon_url: string | null;
  custom_domain: string | null;
  hide_petanque_life_branding: boolean;
}

export type WhiteLabelEvent = DomainEvent<
  'WhiteLabelConfigured',
  WhiteLabel & { chain_id: string; previous_custom_domain: string | null; configured_by: string; configured_at: string }
>;
export type DomainReservationEvent =
  | DomainEvent<'CustomDomainReserved', { custom_domain: string; chain_id: string }>
  | DomainEvent<'CustomDomainReleased', { custom_domain: string; chain_id: string }>;

export interface WhiteLabelState {
  config: WhiteLabel | null;
}
export interface DomainReservation {
  owner: string | null;
}

export const whiteLabelStream = (chainId: string) => `chain-white-label-${chainId}`;
export const customDomainStream = (host: string) => `chain-domain-${host}`;

/**
 * A host name as DNS writes it (RFC 1123 labels, lower case, at least two labels, a TLD that is
 * letters or an IDN `xn--` label, 253 characters at most): no scheme, port, path or IP address.
 */
export const HOST_NAME = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
export const HEX_COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

export const whiteLabelEvolver = {
  initialState: (): WhiteLabelState => ({ config: null }),
  evolve: (_s: WhiteLabelState, e: WhiteLabelEvent): WhiteLabelState => {
    const { chain_id: _c, previous_custom_domain: _p, configured_by: _b, configured_at: _a, ...config } = e.data;
    return { config };
  },
};
export const domainReservationEvolver = {
  initialState: (): DomainReservation => ({ owner: null }),
  evolve: (_s: DomainReservation, e: DomainReservationEvent): DomainReservation => ({
    owner: e.type === 'CustomDomainReserved' ? e.data.chain_id : null,
  }),
};

export function decideReserveDomain(s: DomainReservation, host: string, chainId: string): DomainReservationEvent[] {
  if (s.owner === chainId) return [];
  if (s.owner) throw conflict('custom_domain_taken', `custom_domain ${host} is already used by another chain.`, { custom_domain: host });
  return [{ type: 'CustomDomainReserved', data: { custom_domain: host, chain_id: chainId } }];
}
export function decideReleaseDomain(s: DomainReservation, host: string, chainId: string): DomainReservationEvent[] {
  return s.owner === chainId ? [{ type: 'CustomDomainReleased', data: { custom_domain: host, chain_id: chainId } }] : [];
}

/** The whole configuration replaces the old one; the same configuration again appends nothing. */
export function decideConfigure(
  s: WhiteLabelState,
  cmd: { chain_id: string; config: WhiteLabel; by: string; now: Date },
): WhiteLabelEvent[] {
  if (s.config && sameConfig(s.config, cmd.config)) return [];
  return [
    {
      type: 'WhiteLabelConfigured',
      data: {
        chain_id: cmd.chain_id,
        ...cmd.config,
        previous_custom_domain: s.config?.custom_domain ?? null,
        configured_by: cmd.by,
        configured_at: cmd.now.toISOString(),
      },
    },
  ];
}

const canonical = (c: WhiteLabel) =>
  JSON.stringify([
    c.app_name,
    c.colors.primary,
    c.colors.secondary,
    c.colors.accent,
    c.logo_url,
    c.icon_url,
    c.custom_domain,
    c.hide_petanque_life_branding,
  ]);
export const sameConfig = (a: WhiteLabel, b: WhiteLabel) => canonical(a) === canonical(b);
