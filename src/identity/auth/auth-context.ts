/** What an authenticated request knows about its caller (from the access token + live session). */
export interface AuthContext {
  user_id: string;
  tenant_id: string;
  session_id: string;
  roles: string[];
  sys_roles: string[];
  amr: string[];
  /** Epoch seconds of the primary authentication. */
  auth_time: number;
  /** Epoch seconds of the last second-factor verification, or null. */
  mfa_at: number | null;
  /** The method of that verification (totp, sms, email, webauthn, recovery_code, trusted_device), or null. */
  mfa_method: string | null;
  /** Method -> epoch seconds of its last verification in this session (see mfa-evidence.ts for which count). */
  mfa_methods: Record<string, number>;
}

export interface AccessTokenClaims {
  sub: string;
  tid: string;
  sid: string;
  roles: string[];
  sys: string[];
  amr: string[];
  auth_time: number;
  mfa_at: number | null;
  /** Absent in tokens issued before issue 10 (read as no verification). */
  mfa_method?: string | null;
  mfa_methods?: Record<string, number>;
}

/** RFC 8176 method references used in `amr`. */
export type Amr = 'pwd' | 'otp' | 'sms' | 'email' | 'hwk' | 'user' | 'recovery_code' | 'trusted_device' | 'mfa';
