import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { CommandGateway } from '../shared/command-gateway.js';
import { CLOCK, type Clock } from '../shared/clock.js';
import type { AuthContext } from '../identity/auth/auth-context.js';
import type { PassportView } from '../../projections/chain-passports.js';
import type { VisitTierDoc } from '../../projections/chain-passport-visit-tiers.js';
import type { CheckInDto } from './passport.dto.js';
import { loadSettings, RecordVisit, type RecordVisitResult } from './passport.handlers.js';
import { PassportAccess } from './passport-access.js';
import { PassportQr } from './passport-qr.js';
import { passportBody } from './passport-views.js';

/** What the two check-in routes share, and the passport answer every route gives. */
@Injectable()
export class PassportService {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly access: PassportAccess,
    private readonly qr: PassportQr,
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async body(p: PassportView) {
    const [settings, visits] = await Promise.all([
      loadSettings(this.repo, p.chain_id),
      this.reads.collection<VisitTierDoc>('chain_passport_visit_tiers').get(p.passport_id),
    ]);
    return passportBody(p, settings, visits, this.clock.now());
  }

  /** A QR check-in by staff of an ACTIVE member venue: 201 a new visit, 200 the same visit again within 10 minutes. */
  async scan(auth: AuthContext, id: string, dto: CheckInDto, res: { status(code: number): unknown }) {
    const venueId = dto.venue_id.toLowerCase();
    const p = await this.access.staffFor(auth, venueId, id);
    this.qr.assertValid(id, dto.qr_token);
    const r = await this.gateway.run<RecordVisitResult>(
      new RecordVisit(p.chain_id, p.user_id, venueId, 'check_in', null, null, auth.user_id),
    );
    res.status(r.duplicate ? 200 : 201);
    return { passport_id: id, ...r.visit, duplicate: r.duplicate, passport: await this.body(await this.access.passport(id)) };
  }
}
