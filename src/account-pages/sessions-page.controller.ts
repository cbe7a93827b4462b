import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../identity/auth/decorators.js';
import { SESSIONS_HTML, SESSIONS_JS } from './sessions-page.js';

/** GET /account/sessions: the page the security e-mails' "wasn't you?" link opens. */
@ApiExcludeController()
@Controller('account')
export class SessionsPageController {
  @Public()
  @Get('sessions')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page() {
    return SESSIONS_HTML;
  }

  @Public()
  @Get('assets/sessions.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script() {
    return SESSIONS_JS;
  }
}
