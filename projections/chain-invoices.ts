import { defineProjection } from '../src/projections-runtime/projection.js';
import type { BatchData, InvoiceEvent } from '../src/chain/invoices/invoice.decider.js';

/** Chain invoice batches (F02.09.06), one document per chain and quarter (id = batch id). */
export type ChainInvoiceView = BatchData & { id: string; status: 'DRAFT' | 'ISSUED'; last_position: number; [k: string]: unknown };

export const chainInvoicesProjection = defineProjection({
  name: 'chain_invoices',
  collections: [{ name: 'chain_invoices', indexes: [{ fields: ['chain_id', 'quarter'] }] }],
  handles: ['ChainInvoiceDrafted', 'ChainInvoiceIssued'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as unknown as InvoiceEvent;
    const docs = tx.collection<ChainInvoiceView>('chain_invoices');
    const old = await docs.get(e.data.batch_id);
    // guard by position, and an issued batch is never replaced
    if (old && (old.last_position >= event.position || old.status === 'ISSUED')) return;
    await docs.upsert({
      id: e.data.batch_id,
      ...e.data,
      status: e.type === 'ChainInvoiceIssued' ? 'ISSUED' : 'DRAFT',
      last_position: event.position,
    });
  },
});
