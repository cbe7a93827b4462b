import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Public } from '../identity/auth/decorators.js';
import { PASSKEYS_HTML, PASSKEYS_JS } from './passkeys-page.js';

/** The @simplewebauthn/browser UMD bundle (global SimpleWebAuthnBrowser), served from our own origin. */
function loadBrowserBundle(): string {
  let root: string;
  try {
    root = join(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '..');
  } catch {
    root = join(process.cwd(), 'node_modules', '@simplewebauthn', 'browser');
  }
  return readFileSync(join(root, 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
}

let bundle: string | null = null;

/** Self-service account pages: static HTML + same-origin scripts (helmet's CSP stays strict). */
@ApiExcludeController()
@Controller('account')
export class AccountPagesController {
  @Public()
  @Get('passkeys')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page() {
    return PASSKEYS_HTML;
  }

  @Public()
  @Get('assets/passkeys.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script() {
    return PASSKEYS_JS;
  }

  @Public()
  @Get('assets/simplewebauthn-browser.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  browserBundle() {
    bundle ??= loadBrowserBundle();
    return bundle;
  }
}
