import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import QRCode from 'qrcode';
import { safeEqual } from '../shared/crypto.js';
import { forbidden } from '../shared/errors.js';
import { Secrets } from '../shared/secrets.js';

/**
 * The passport's QR token: `PLP1.{passport_id}.{mac}`, the mac an HMAC-SHA-256 with the server's
 * key over the purpose and the id. Staff scan it; the server alone can make one, so a made-up token
 * or the token of another passport is refused (the mac is compared in constant time).
 */
@Injectable()
export class PassportQr {
  constructor(private readonly secrets: Secrets) {}

  private mac(passportId: string): string {
    return createHmac('sha256', this.secrets.hmacKey).update(`chain-passport-qr:v1:${passportId}`).digest('base64url');
  }

  token(passportId: string): string {
    return `PLP1.${passportId}.${this.mac(passportId)}`;
  }

  async svg(passportId: string): Promise<string> {
    return QRCode.toString(this.token(passportId), { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
  }

  /** 403 qr_token_invalid unless the token is this passport's own. */
  assertValid(passportId: string, token: string): void {
    const [version, id, mac] = token.split('.');
    const ok = version === 'PLP1' && id === passportId && typeof mac === 'string' && safeEqual(mac, this.mac(passportId));
    if (!ok) throw forbidden('qr_token_invalid', "The QR token is not this passport's.");
  }
}
