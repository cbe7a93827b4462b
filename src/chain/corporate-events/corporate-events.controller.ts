import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { READ_STORE, type ReadStore, type Where } from '../../readstore/read-store.port.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { notFound } from '../../shared/errors.js';
import { uuidParam } from '../../shared/ids.js';
import { maskEmail } from '../../shared/mask.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/decorators.js';
import { assertTenantContext } from '../../identity/auth/tenant-context.js';
import { RequiresSubsystem } from '../../tenant-tier/requires-subsystem.js';
import type { CorporateEventView } from '../../../projections/chain-corporate-events.js';
import { ChainAccess } from '../chain-access.js';
import { isActiveMember } from '../leagues/league.handlers.js';
import { CHAIN_ID } from '../venues/venues.controller.js';
import { CorporateEventsQuery, CreateCorporateEventDto, quoteOf, TransitionCorporateEventDto } from './corporate-event.dto.js';
import { RequestCorporateEvent, TransitionCorporateEvent } from './corporate-event.handlers.js';

const EVENT_ID = () => uuidParam('corporate_event_not_found', 'No such corporate event in this chain.');
const COLLECTION = 'chain_corporate_events';

/** What a reader may see: the chain's admins everything; chain staff and host-venue staff the contact e-mail masked. */
interface Reader {
  admin: boolean;
  /** A host venue's staff see only the events their venue hosts. */
  venue_id: string | null;
}

const item = (e: CorporateEventView, r: Reader) => ({
  corporate_event_id: e.corporate_event_id,
  chain_id: e.chain_id,
  status: e.status,
  company_name: e.company_name,
  contact_email: r.admin ? e.contact_email : maskEmail(e.contact_email),
  host_venue_tenant_id: e.host_venue_tenant_id,
  event_date: e.event_date,
  guests: e.guests,
  notes: e.notes,
  quote_amount: e.quote_amount,
  quote_currency: e.quote_currency,
  quote_valid_until: e.quote_valid_until,
  requested_at: e.requested_at,
  updated_at: e.updated_at,
});

/** Corporate events (F02.09.04): chain admins request and move them; chain staff and host-venue staff read. */
@ApiTags('chain')
@ApiBearerAuth()
@RequiresSubsystem('F02.09')
@Controller('chain/:chain_id/corporate-events')
export class CorporateEventsController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly access: ChainAccess,
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@CurrentAuth() auth: AuthContext, @Param('chain_id', CHAIN_ID()) chainId: string, @Body() dto: CreateCorporateEventDto) {
    await this.access.chainAdmin(auth, chainId);
    const r = await this.gateway.run<{ position: number; corporate_event_id: string }>(
      new RequestCorporateEvent(
        chainId,
        {
          company_name: dto.company_name.trim(),
          contact_email: dto.contact_email.trim(),
          host_venue_tenant_id: dto.host_venue_tenant_id.toLowerCase(),
          event_date: dto.event_date,
          guests: dto.guests,
          notes: dto.notes ?? null,
        },
        auth.user_id,
      ),
    );
    return this.answer(chainId, r.corporate_event_id, { admin: true, venue_id: null });
  }

  @Get()
  async list(@CurrentAuth() auth: AuthContext, @Param('chain_id', CHAIN_ID()) chainId: string, @Query() q: CorporateEventsQuery) {
    const reader = await this.reader(auth, chainId);
    const where: Where = { chain_id: chainId };
    if (reader.venue_id) where.host_venue_tenant_id = reader.venue_id;
    if (q.status) where.status = q.status;
    const page = await this.reads.collection<CorporateEventView>(COLLECTION).find({
      where,
      sort: [['event_date', 'asc']],
      limit: q.limit ?? 50,
      cursor: q.cursor ?? null,
    });
    return { items: page.items.map((e) => item(e, reader)), next_cursor: page.next_cursor };
  }

  @Get(':corporate_event_id')
  async one(
    @CurrentAuth() auth: AuthContext,
    @Param('chain_id', CHAIN_ID()) chainId: string,
    @Param('corporate_event_id', EVENT_ID()) id: string,
  ) {
    return this.answer(chainId, id.toLowerCase(), await this.reader(auth, chainId));
  }

  @Patch(':corporate_event_id')
  async transition(
    @CurrentAuth() auth: AuthContext,
    @Param('chain_id', CHAIN_ID()) chainId: string,
    @Param('corporate_event_id', EVENT_ID()) id: string,
    @Body() dto: TransitionCorporateEventDto,
  ) {
    await this.access.chainAdmin(auth, chainId);
    const quote = quoteOf(dto);
    await this.gateway.run(new TransitionCorporateEvent(chainId, id.toLowerCase(), dto.status, quote, auth.user_id));
    return this.answer(chainId, id.toLowerCase(), { admin: true, venue_id: null });
  }

  private async answer(chainId: string, id: string, reader: Reader) {
    const e = await this.reads.collection<CorporateEventView>(COLLECTION).get(id);
    if (!e || e.chain_id !== chainId || (reader.venue_id && e.host_venue_tenant_id !== reader.venue_id))
      throw notFound('corporate_event_not_found', 'No such corporate event in this chain.');
    return item(e, reader);
  }

  /** The chain's session (admins, staff), or the session of a venue that is an ACTIVE member (its staff). */
  private async reader(auth: AuthContext, chainId: string): Promise<Reader> {
    if (auth.tenant_id === chainId) return { admin: (await this.access.chainReader(auth, chainId)).admin, venue_id: null };
    await this.access.venueStaff(auth, auth.tenant_id);
    if (!(await isActiveMember(this.repo, chainId, auth.tenant_id))) assertTenantContext(auth, [chainId]);
    return { admin: false, venue_id: auth.tenant_id };
  }
}
