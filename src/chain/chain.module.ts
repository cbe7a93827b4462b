import { Module } from '@nestjs/common';
import { ChainAccess } from './chain-access.js';
import { CreateChainHandler } from './chains/create-chain.handler.js';
import { AcceptChainHandler, InviteVenueHandler, RemoveVenueHandler } from './venues/membership.handlers.js';
import { VenuesController } from './venues/venues.controller.js';
import { CreateLeagueHandler, RecordLeagueResultHandler } from './leagues/league.handlers.js';
import { LeaguesController } from './leagues/leagues.controller.js';
import { EcbRatesSource, GenerateChainInvoiceHandler } from './invoices/invoice.handlers.js';
import { InvoicesController } from './invoices/invoices.controller.js';
import { ChainInvoiceJobs, ChainInvoiceRunner } from './invoices/invoice.jobs.js';
import {
  ExpireCorporateEventQuotesHandler,
  RequestCorporateEventHandler,
  TransitionCorporateEventHandler,
} from './corporate-events/corporate-event.handlers.js';
import { CorporateEventsController } from './corporate-events/corporate-events.controller.js';
import { CorporateEventJobs } from './corporate-events/corporate-event.jobs.js';
import { ConfigureWhiteLabelHandler } from './white-label/white-label.handlers.js';
import { WhiteLabelController } from './white-label/white-label.controller.js';

/** Venue chains (F02.09): every route carries @RequiresSubsystem('F02.09'). */
@Module({
  controllers: [VenuesController, LeaguesController, InvoicesController, CorporateEventsController, WhiteLabelController],
  providers: [
    ChainAccess,
    CreateChainHandler,
    InviteVenueHandler,
    AcceptChainHandler,
    RemoveVenueHandler,
    CreateLeagueHandler,
    RecordLeagueResultHandler,
    EcbRatesSource,
    GenerateChainInvoiceHandler,
    ChainInvoiceRunner,
    ChainInvoiceJobs,
    RequestCorporateEventHandler,
    TransitionCorporateEventHandler,
    ExpireCorporateEventQuotesHandler,
    CorporateEventJobs,
    ConfigureWhiteLabelHandler,
  ],
})
export class ChainModule {}
