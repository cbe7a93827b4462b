import { Body, Controller, Get, Headers, Inject, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { sha256Hex } from '../../shared/crypto.js';
import { notFound } from '../../shared/errors.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth, Public } from '../../identity/auth/decorators.js';
import { RequiresSubsystem } from '../../tenant-tier/requires-subsystem.js';
import { matches } from '../../tenant-tier/tier.controller.js';
import type { ChainView } from '../../../projections/chains.js';
import type { WhiteLabelView } from '../../../projections/chain-white-labels.js';
import { ChainAccess } from '../chain-access.js';
import { CHAIN_ID } from '../venues/venues.controller.js';
import type { WhiteLabel } from './white-label.decider.js';
import { ConfigureWhiteLabel } from './white-label.handlers.js';
import { BrandingQuery, WhiteLabelDto } from './white-label.dto.js';

const COLLECTION = 'chain_white_labels';

/** The branding as every answer shows it (the chain's own GET, PUT and the public lookup). */
const branding = (chain: ChainView, w: WhiteLabel & { updated_at: string }) => ({
  chain_id: chain.chain_id,
  chain_code: chain.chain_code,
  app_name: w.app_name,
  colors: { primary: w.colors.primary, secondary: w.colors.secondary, accent: w.colors.accent },
  logo_url: w.logo_url,
  icon_url: w.icon_url,
  custom_domain: w.custom_domain,
  hide_petanque_life_branding: w.hide_petanque_life_branding,
  updated_at: w.updated_at,
});

/** White label (F02.09.05): the chain's admins set it; anyone reads it by custom domain. */
@ApiTags('chain')
@Controller()
export class WhiteLabelController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly access: ChainAccess,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  @ApiBearerAuth()
  @RequiresSubsystem('F02.09')
  @Put('chain/:chain_id/white-label')
  async put(@CurrentAuth() auth: AuthContext, @Param('chain_id', CHAIN_ID()) chainId: string, @Body() dto: WhiteLabelDto) {
    const chain = await this.access.chainAdmin(auth, chainId);
    const config: WhiteLabel = {
      app_name: dto.app_name.trim(),
      colors: {
        primary: dto.colors.primary.toLowerCase(),
        secondary: dto.colors.secondary.toLowerCase(),
        accent: dto.colors.accent.toLowerCase(),
      },
      logo_url: dto.logo_url,
      icon_url: dto.icon_url ?? null,
      custom_domain: dto.custom_domain ?? null,
      hide_petanque_life_branding: dto.hide_petanque_life_branding,
    };
    await this.gateway.run(new ConfigureWhiteLabel(chainId, config, auth.user_id));
    return branding(chain, (await this.reads.collection<WhiteLabelView>(COLLECTION).get(chainId))!);
  }

  @ApiBearerAuth()
  @RequiresSubsystem('F02.09')
  @Get('chain/:chain_id/white-label')
  async get(@CurrentAuth() auth: AuthContext, @Param('chain_id', CHAIN_ID()) chainId: string) {
    const { chain } = await this.access.chainReader(auth, chainId);
    const w = await this.reads.collection<WhiteLabelView>(COLLECTION).get(chainId);
    if (!w) throw notFound('white_label_not_configured', 'This chain has no white label yet.');
    return branding(chain, w);
  }

  /**
   * The branding for a custom domain, for the web app's branding provider before anyone signs in.
   * Public and cacheable: a strong ETag over the body; If-None-Match with it answers 304.
   */
  @Public()
  @Get('public/branding')
  async byDomain(@Query() q: BrandingQuery, @Headers('if-none-match') inm: string | undefined, @Res() res: Response) {
    const page = await this.reads.collection<WhiteLabelView>(COLLECTION).find({ where: { custom_domain: q.domain }, limit: 1 });
    const w = page.items[0];
    const chain = w ? await this.reads.collection<ChainView>('chains').get(w.chain_id) : null;
    if (!w || !chain) throw notFound('branding_not_found', `No chain uses the domain ${q.domain}.`);
    const body = JSON.stringify(branding(chain, w));
    const etag = `"${sha256Hex(body).slice(0, 32)}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'public, max-age=300');
    // (express's res.send would answer 304 on its own through req.fresh; said here so it does not hinge on that)
    if (matches(inm, etag)) return void res.status(304).end();
    res.status(200).type('application/json').send(body);
  }
}
