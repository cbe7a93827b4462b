import { Controller, Get, Header, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { IsIn, IsOptional } from 'class-validator';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { forbidden, notFound } from '../../shared/errors.js';
import { uuidParam } from '../../shared/ids.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/decorators.js';
import { RequiresSubsystem } from '../../tenant-tier/requires-subsystem.js';
import type { UserView } from '../../../projections/users.js';
import type { ChainInvoiceView } from '../../../projections/chain-invoices.js';
import { ChainAccess } from '../chain-access.js';
import { CHAIN_ID } from '../venues/venues.controller.js';
import { ListQuery } from '../chain.dto.js';

export class InvoiceFormatQuery {
  @IsOptional() @IsIn(['json', 'csv'], { message: 'format must be json or csv' }) format?: 'json' | 'csv';
}

const view = (b: ChainInvoiceView) => {
  const { id: _id, last_position: _p, ...rest } = b;
  return rest;
};
const cell = (v: unknown) => {
  const s = String(v ?? '');
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; // no formula injection
};

/** One row per line item; amounts in minor units, as stored. */
export function invoiceCsv(b: ChainInvoiceView): string {
  const head = [
    'batch_id',
    'chain_id',
    'quarter',
    'status',
    'as_of',
    'country',
    'local_currency',
    'venue_count',
    'active_venue_days',
    'quarter_days',
    'eur_amount_minor',
    'ecb_rate_used',
    'ecb_rate_date',
    'local_amount_minor',
  ];
  const rows = b.line_items.map((l) =>
    [
      b.batch_id,
      b.chain_id,
      b.quarter,
      b.status,
      b.as_of,
      l.country,
      l.local_currency,
      l.venues.length,
      l.active_venue_days,
      l.quarter_days,
      l.eur_amount_minor,
      l.ecb_rate_used,
      l.ecb_rate_date,
      l.local_amount_minor,
    ]
      .map(cell)
      .join(','),
  );
  return [head.join(','), ...rows].join('\r\n') + '\r\n';
}

/** Quarterly chain invoices (F02.09.06): chain admins, and platform operators with the finance role. */
@ApiTags('chain')
@ApiBearerAuth()
@RequiresSubsystem('F02.09')
@Controller('chain/:chain_id/invoices')
export class InvoicesController {
  constructor(
    private readonly access: ChainAccess,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  @Get()
  async list(@CurrentAuth() auth: AuthContext, @Param('chain_id', CHAIN_ID()) chainId: string, @Query() q: ListQuery) {
    await this.allowed(auth, chainId);
    const page = await this.reads
      .collection<ChainInvoiceView>('chain_invoices')
      .find({ where: { chain_id: chainId }, sort: [['quarter', 'desc']], limit: q.limit ?? 50, cursor: q.cursor ?? null });
    return { items: page.items.map(view), next_cursor: page.next_cursor };
  }

  @Get(':batch_id')
  @Header('Cache-Control', 'no-store')
  async one(
    @CurrentAuth() auth: AuthContext,
    @Param('chain_id', CHAIN_ID()) chainId: string,
    @Param('batch_id', uuidParam('invoice_not_found', 'No such invoice batch for this chain.')) batchId: string,
    @Query() q: InvoiceFormatQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    await this.allowed(auth, chainId);
    const b = await this.reads.collection<ChainInvoiceView>('chain_invoices').get(batchId.toLowerCase());
    if (!b || b.chain_id !== chainId) throw notFound('invoice_not_found', 'No such invoice batch for this chain.');
    if (q.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="chain-invoice-${b.quarter}.csv"`);
      return invoiceCsv(b);
    }
    return view(b);
  }

  /** The chain's admin from the chain's session, or a live finance operator from anywhere. */
  private async allowed(auth: AuthContext, chainId: string) {
    if (auth.tenant_id !== chainId) {
      const live = (await this.reads.collection<UserView>('users').get(auth.user_id))?.sys_roles ?? [];
      if (!live.includes('finance')) {
        await this.access.chainAdmin(auth, chainId); // answers tenant_context_mismatch
        throw forbidden('tenant_admin_required', 'Chain admins and finance operators only.');
      }
      await this.access.chain(chainId);
      return;
    }
    await this.access.chainAdmin(auth, chainId);
  }
}
