import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { IndividualController } from './individual.controller.js';
import { CreateIndividualContextHandler, UpdateIndividualProfileHandler } from './profile/individual.handlers.js';
import { RequestIndividualSignupHandler, SignupMailer, VerifyIndividualSignupHandler } from './signup/signup.handlers.js';

/** Individual players (F02.08): signup, profile; every F02.08 route carries @RequiresSubsystem('F02.08'). */
@Module({
  imports: [IdentityModule],
  controllers: [IndividualController],
  providers: [
    RequestIndividualSignupHandler,
    VerifyIndividualSignupHandler,
    SignupMailer,
    CreateIndividualContextHandler,
    UpdateIndividualProfileHandler,
  ],
})
export class IndividualModule {}
