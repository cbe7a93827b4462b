import { Module } from '@nestjs/common';
import { ChainAccess } from '../chain/chain-access.js';
import { CreatePassportHandler, RecordVisitHandler, SetPassportSettingsHandler, UpdatePassportHandler } from './passport.handlers.js';
import { PassportAccess } from './passport-access.js';
import { PassportQr } from './passport-qr.js';
import { PassportTierReviewJob, ReviewPassportTiersHandler } from './passport-tier-review.js';
import { PassportService } from './passport.service.js';
import { PassportsController } from './passports.controller.js';
import { VisitTiersController } from './visit-tiers.controller.js';
import { PassportLeaderboardController } from './leaderboard.controller.js';

/** Chain loyalty passports (F02.09.03, .07-.10); every route carries @RequiresSubsystem('F02.09'). */
@Module({
  // the leaderboard's fixed path is registered before the /chain/:chain_id routes
  controllers: [PassportLeaderboardController, PassportsController, VisitTiersController],
  providers: [
    ChainAccess,
    PassportAccess,
    PassportQr,
    PassportService,
    CreatePassportHandler,
    UpdatePassportHandler,
    RecordVisitHandler,
    SetPassportSettingsHandler,
    ReviewPassportTiersHandler,
    PassportTierReviewJob,
  ],
})
export class PassportModule {}
