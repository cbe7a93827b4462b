import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { IndividualController } from './individual.controller.js';
import { SocialController } from './social.controller.js';
import { StripeController } from './premium/stripe.controller.js';
import { ExpireCasualMatchesHandler, FriendActionHandler, RecordCasualMatchHandler, VerifyCasualMatchHandler } from './social.handlers.js';
import { IndividualJobs } from './individual.jobs.js';
import { CreateIndividualContextHandler, UpdateIndividualProfileHandler } from './profile/individual.handlers.js';
import { RequestIndividualSignupHandler, SignupMailer, VerifyIndividualSignupHandler } from './signup/signup.handlers.js';

/** Individual players (F02.08): signup, profile, casual matches, friends, premium; every F02.08 route carries @RequiresSubsystem('F02.08'). */
@Module({
  imports: [IdentityModule],
  controllers: [IndividualController, SocialController, StripeController],
  providers: [
    RequestIndividualSignupHandler,
    VerifyIndividualSignupHandler,
    SignupMailer,
    CreateIndividualContextHandler,
    UpdateIndividualProfileHandler,
    FriendActionHandler,
    RecordCasualMatchHandler,
    VerifyCasualMatchHandler,
    ExpireCasualMatchesHandler,
    IndividualJobs,
  ],
})
export class IndividualModule {}
