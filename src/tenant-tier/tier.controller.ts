import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { notFound } from '../shared/errors.js';
import { sha256Hex } from '../shared/crypto.js';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { AllowWithoutMfa, CurrentAuth, Public } from '../identity/auth/decorators.js';
import { matrixHash, publishedMatrixText } from './tier-matrix.js';
import { TierResolver } from './tier-resolver.service.js';

export const matches = (ifNoneMatch: string | undefined, etag: string) =>
  !!ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);

@ApiTags('tenant-tier')
@Controller()
export class TierController {
  constructor(private readonly resolver: TierResolver) {}

  /**
   * The caller's tenant snapshot (F02.10.06), for hiding what the tier does not include. The
   * ETag is the snapshot version plus a digest of the body (an add-on passing its expiry
   * changes the body before the job bumps the version), so polling clients get 304s.
   */
  @ApiBearerAuth()
  @AllowWithoutMfa()
  @Get('me/tenant-tier')
  async mine(
    @CurrentAuth() auth: AuthContext,
    @Headers('if-none-match') inm: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const snap = await this.resolver.snapshot(auth.tenant_id);
    if (!snap) throw notFound('tenant_not_found', 'No such tenant.');
    const etag = `"${snap.version}-${sha256Hex(JSON.stringify(snap)).slice(0, 16)}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'private, no-cache');
    if (matches(inm, etag)) {
      res.status(304);
      return undefined;
    }
    return snap;
  }

  /** The published matrix, byte-equal to web/src/data/tenant-tiers.json. */
  @Public()
  @Get('public/tenant-tiers')
  published(@Headers('if-none-match') inm: string | undefined, @Res() res: Response) {
    const etag = `"${matrixHash().slice(0, 32)}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'public, max-age=300');
    if (matches(inm, etag)) return void res.status(304).end();
    res.status(200).type('application/json').send(Buffer.from(publishedMatrixText()));
  }
}
