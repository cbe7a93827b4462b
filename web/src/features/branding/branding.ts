/** `GET /public/branding?domain=` and `GET /chain/{id}/white-label` answer this (src/chain/white-label). */
export interface Branding {
  chain_id: string;
  chain_code?: string;
  app_name: string;
  colors: { primary: string; secondary: string; accent: string };
  logo_url: string;
  icon_url: string | null;
  custom_domain: string | null;
  hide_petanque_life_branding: boolean;
  updated_at?: string;
}

/** A host name the public branding lookup can answer (at least two labels, not an IP address). */
export function brandableHost(host: string): boolean {
  return /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(host);
}

const channel = (v: number) => {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};
/** WCAG relative luminance of `#rgb` / `#rrggbb`. */
export function luminance(hex: string): number {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
  return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
}
export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}
/** Black or white text, whichever reads better on `bg`. */
export const readableOn = (bg: string): string => (contrast(bg, '#ffffff') >= contrast(bg, '#000000') ? '#ffffff' : '#000000');

/**
 * The CSS custom properties a branding sets on :root (through the CSSOM, which a strict CSP
 * allows: no inline style element, no inline script). The top bar takes the chain's primary colour
 * with readable text; links and buttons take it only where it keeps WCAG AA contrast on white.
 */
export function brandVariables(b: Branding): Record<string, string> {
  const vars: Record<string, string> = {
    '--brand-bg': b.colors.primary,
    '--brand-fg': readableOn(b.colors.primary),
    '--brand-secondary': b.colors.secondary,
    '--brand-accent': b.colors.accent,
  };
  if (contrast(b.colors.primary, '#ffffff') >= 4.5) {
    vars['--accent'] = b.colors.primary;
    vars['--accent-fg'] = '#ffffff';
  }
  return vars;
}
