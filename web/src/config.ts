/** Build-time settings (Vite `VITE_*` variables; defaults for a local build). */
export const SUPPORT_CONTACT: string = import.meta.env?.VITE_SUPPORT_CONTACT ?? 'support@petanque.life';
