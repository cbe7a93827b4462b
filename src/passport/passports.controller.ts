import { Body, Controller, Get, HttpCode, Inject, Injectable, Param, Post, Put, Query, Res, type PipeTransform } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { CommandGateway } from '../shared/command-gateway.js';
import { CLOCK, type Clock } from '../shared/clock.js';
import { badRequest, forbidden, notFound } from '../shared/errors.js';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { CurrentAuth } from '../identity/auth/decorators.js';
import { RequiresSubsystem } from '../tenant-tier/requires-subsystem.js';
import { nameKey, type PassportView } from '../../projections/chain-passports.js';
import type { PassportVisitView } from '../../projections/chain-passport-visits.js';
import type { UserView } from '../../projections/users.js';
import { PASSPORT_ID } from './passport.decider.js';
import { AwardPointsDto, ChainQuery, CheckInDto, CreatePassportDto, PageQuery, SearchQuery, UpdatePassportDto } from './passport.dto.js';
import { CreatePassport, loadSettings, RecordVisit, UpdatePassport, type RecordVisitResult } from './passport.handlers.js';
import { PassportAccess } from './passport-access.js';
import { PassportQr } from './passport-qr.js';
import { passportBody, visitItem } from './passport-views.js';
import { PassportService } from './passport.service.js';

/** A passport id path parameter (CODE-PASS-NNNNNN); anything else is 404 passport_not_found. */
@Injectable()
export class PassportIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !PASSPORT_ID.test(value)) throw notFound('passport_not_found', 'No such passport.');
    return value;
  }
}

const invalid = (field: string, msg: string) => badRequest('validation_failed', `${field} ${msg}`, { errors: [`${field} ${msg}`] });

/** Chain loyalty passports (F02.09.07, .08, .10). */
@ApiTags('passport')
@ApiBearerAuth()
@RequiresSubsystem('F02.09')
@Controller('chain/passports')
export class PassportsController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly access: PassportAccess,
    private readonly qr: PassportQr,
    private readonly service: PassportService,
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The caller's own passport in a chain, from a session of the chain or of one of its ACTIVE member venues. */
  @Post()
  @HttpCode(201)
  async create(@CurrentAuth() auth: AuthContext, @Body() dto: CreatePassportDto) {
    const chainId = dto.chain_id.toLowerCase();
    const chain = await this.access.inChain(auth, chainId);
    const user = await this.reads.collection<UserView>('users').get(auth.user_id);
    const name = (dto.display_name ?? user?.display_name ?? '').trim();
    if (!name) throw invalid('display_name', 'must not be empty');
    const r = await this.gateway.run<{ position: number; passport_id: string }>(
      new CreatePassport(chainId, chain.chain_code, auth.user_id, name),
    );
    return this.service.body(await this.access.passport(r.passport_id));
  }

  /** Search for chain admins and staff of member venues: by passport id (or its prefix) or display-name prefix. */
  @Get()
  async search(@CurrentAuth() auth: AuthContext, @Query() q: SearchQuery) {
    const chainId = q.chain_id.toLowerCase();
    await this.access.adminOrStaff(auth, chainId);
    const docs = this.reads.collection<PassportView>('chain_passports');
    const term = q.q?.trim() ?? '';
    const byId = /^[A-Za-z]{3,8}-PASS(-\d*)?$/i.test(term) || /^[A-Za-z]{3,8}-P(A(S(S)?)?)?$/i.test(term);
    const page = byId
      ? await docs.find({
          where: { chain_id: chainId, id: { gte: term.toUpperCase(), lt: `${term.toUpperCase()}\u{10FFFF}` } },
          sort: [['id', 'asc']],
          limit: q.limit ?? 50,
          cursor: q.cursor ?? null,
        })
      : term
        ? await docs.find({
            where: { chain_id: chainId, name_key: { gte: nameKey(term), lt: `${nameKey(term)}\u{10FFFF}` } },
            sort: [['name_key', 'asc']],
            limit: q.limit ?? 50,
            cursor: q.cursor ?? null,
          })
        : await docs.find({ where: { chain_id: chainId }, sort: [['number', 'asc']], limit: q.limit ?? 50, cursor: q.cursor ?? null });
    const now = this.clock.now();
    const settings = await loadSettings(this.repo, chainId);
    return {
      items: page.items.map((p) => passportBody(p, settings, null, now)).map(({ visits: _v, ...rest }) => rest),
      next_cursor: page.next_cursor,
    };
  }

  @Get('me')
  async me(@CurrentAuth() auth: AuthContext, @Query() q: ChainQuery) {
    const chainId = q.chain_id.toLowerCase();
    await this.access.inChain(auth, chainId);
    const page = await this.reads
      .collection<PassportView>('chain_passports')
      .find({ where: { chain_id: chainId, user_id: auth.user_id }, limit: 1 });
    if (!page.items[0]) throw notFound('passport_not_found', 'You have no passport in this chain.');
    return this.service.body(page.items[0]);
  }

  @Get(':passport_id')
  async get(@CurrentAuth() auth: AuthContext, @Param('passport_id', PassportIdPipe) id: string) {
    const p = await this.access.passport(id);
    await this.access.rolesFor(auth, p);
    return this.service.body(p);
  }

  /** The owner changes the profile (display_name); a chain admin the tier override and the ban. */
  @Put(':passport_id')
  async update(@CurrentAuth() auth: AuthContext, @Param('passport_id', PassportIdPipe) id: string, @Body() dto: UpdatePassportDto) {
    const p = await this.access.passport(id);
    const roles = await this.access.rolesFor(auth, p);
    const adminFields = dto.tier_override !== undefined || dto.tier_override_until !== undefined || dto.banned !== undefined;
    if (dto.display_name !== undefined && !roles.includes('owner'))
      throw forbidden('passport_owner_required', 'Only the passport owner changes the profile.');
    if (adminFields && !roles.includes('chain_admin'))
      throw forbidden('chain_admin_required', "Tier override and ban are for the chain's admins (signed in to the chain).");
    if (dto.tier_override_until !== undefined && dto.tier_override === undefined)
      throw invalid('tier_override', 'is required with tier_override_until');
    if (dto.tier_override && !dto.tier_override_reason) throw invalid('tier_override_reason', 'is required with tier_override');
    if (dto.banned === true && !dto.ban_reason) throw invalid('ban_reason', 'is required to ban');
    if (dto.display_name === undefined && !adminFields) throw invalid('body', 'must change display_name, tier_override or banned');
    await this.gateway.run(
      new UpdatePassport(
        p.chain_id,
        p.user_id,
        {
          display_name: dto.display_name?.trim(),
          override:
            dto.tier_override === undefined
              ? undefined
              : {
                  tier: dto.tier_override,
                  reason: dto.tier_override_reason ?? '',
                  until: dto.tier_override ? (dto.tier_override_until ? new Date(dto.tier_override_until).toISOString() : null) : null,
                },
          ban: dto.banned === undefined ? undefined : { banned: dto.banned, reason: dto.ban_reason ?? null },
        },
        auth.user_id,
      ),
    );
    return this.service.body(await this.access.passport(id));
  }

  /** The owner's QR code: a server-signed token and its SVG rendering. */
  @Get(':passport_id/qr')
  async qrCode(@CurrentAuth() auth: AuthContext, @Param('passport_id', PassportIdPipe) id: string) {
    const p = await this.access.passport(id);
    if (!(await this.access.rolesFor(auth, p)).includes('owner')) throw notFound('passport_not_found', 'No such passport.');
    return { passport_id: id, qr_token: this.qr.token(id), qr_svg: await this.qr.svg(id) };
  }

  /** Staff of an ACTIVE member venue scan the QR: a visit (a second scan at the venue within 10 minutes is the same one). */
  @Post(':passport_id/check-in')
  async checkIn(
    @CurrentAuth() auth: AuthContext,
    @Param('passport_id', PassportIdPipe) id: string,
    @Body() dto: CheckInDto,
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ) {
    return this.service.scan(auth, id, dto, res);
  }

  @Post(':passport_id/award-points')
  @HttpCode(201)
  async award(@CurrentAuth() auth: AuthContext, @Param('passport_id', PassportIdPipe) id: string, @Body() dto: AwardPointsDto) {
    const venueId = dto.venue_id.toLowerCase();
    const p = await this.access.staffFor(auth, venueId, id);
    const r = await this.gateway.run<RecordVisitResult>(
      new RecordVisit(p.chain_id, p.user_id, venueId, 'points', dto.points, dto.reason.trim(), auth.user_id),
    );
    return { passport_id: id, ...r.visit, passport: await this.service.body(await this.access.passport(id)) };
  }

  /** Visit history, newest first, by a stable cursor (index passport_id + visited_at desc). */
  @Get(':passport_id/visits')
  async visits(@CurrentAuth() auth: AuthContext, @Param('passport_id', PassportIdPipe) id: string, @Query() q: PageQuery) {
    const p = await this.access.passport(id);
    await this.access.rolesFor(auth, p);
    const page = await this.reads.collection<PassportVisitView>('chain_passport_visits').find({
      where: { passport_id: id },
      sort: [
        ['visited_at', 'desc'],
        ['id', 'desc'],
      ],
      limit: q.limit ?? 50,
      cursor: q.cursor ?? null,
    });
    return { passport_id: id, items: page.items.map(visitItem), next_cursor: page.next_cursor };
  }
}
