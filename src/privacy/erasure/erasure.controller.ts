import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth, RequiresFreshMfa, RequiresSysRole } from '../../identity/auth/decorators.js';
import { DeactivateDto } from '../../account/membership/membership.controller.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { uuidParam } from '../../shared/ids.js';
import { EraseCorporateContact } from './erase-corporate-contact.handler.js';
import { ErasePersonalData, type ErasureResult } from './erase-personal-data.handler.js';

const userParam = uuidParam('user_not_found', 'No such user.');
const corporateEventParam = uuidParam('corporate_event_not_found', 'No such corporate event.');
const answer = (r: Omit<ErasureResult, 'revoked_sessions'>) => ({
  erased: true,
  documents_rewritten: r.documents_rewritten,
  documents_deleted: r.documents_deleted,
  outbox_messages_deleted: r.outbox_messages_deleted,
});

/** GDPR erasure by crypto-shredding (issue 16 item 5): sys role security, fresh second factor, a reason for the audit. */
@ApiTags('sys')
@ApiBearerAuth()
@Controller('sys/users')
export class ErasureController {
  constructor(private readonly gateway: CommandGateway) {}

  @Post(':user_id/erase')
  @RequiresSysRole('security')
  @RequiresFreshMfa()
  @HttpCode(200)
  async erase(@CurrentAuth() auth: AuthContext, @Param('user_id', userParam) userId: string, @Body() dto: DeactivateDto) {
    const r = await this.gateway.run<ErasureResult>(new ErasePersonalData(userId, auth.user_id, dto.reason.trim()));
    return { ...answer(r), revoked_sessions: r.revoked_sessions };
  }
}

/** The same for a corporate event's outside contact (no account): its data key is the corporate event's. */
@ApiTags('sys')
@ApiBearerAuth()
@Controller('sys/corporate-events')
export class CorporateContactErasureController {
  constructor(private readonly gateway: CommandGateway) {}

  @Post(':corporate_event_id/erase-contact')
  @RequiresSysRole('security')
  @RequiresFreshMfa()
  @HttpCode(200)
  async erase(@CurrentAuth() auth: AuthContext, @Param('corporate_event_id', corporateEventParam) id: string, @Body() dto: DeactivateDto) {
    return answer(await this.gateway.run(new EraseCorporateContact(id, auth.user_id, dto.reason.trim())));
  }
}
