/**
 * A movement of a managed-services client's hour bank: the bank's balance is the contract's
 * bank less what was used before Terrain (`hoursUsed`, entered once) plus the sum of these
 * movements, never a counter edited in place (hour-bank.ts). Only the server writes them,
 * with the billing item of the closure they come from (server/jobs/billing-job.ts); mayWrite
 * refuses every user.
 */
import * as v from 'valibot';
import { docBase, ref, text, timestamp } from './common.ts';

export const HOUR_BANK_MOVES = ['debit', 'correction'] as const;

export const HourBankSchema = v.object({
	...docBase('hourbank'),
	clientId: ref('client'),
	ticketId: ref('ticket'),
	reportId: ref('report'),
	/** The billing item written with it (same closure, same report). */
	billingId: ref('billing'),
	move: v.picklist(HOUR_BANK_MOVES),
	/** Signed whole minutes: negative takes from the bank, positive gives back (a correction). */
	minutes: v.pipe(v.number(), v.integer('must be a whole number of minutes')),
	/** The closure it bills: the ticket's closure instant. */
	closedAt: timestamp,
	/** When the server wrote it. */
	at: timestamp,
	description: text
});

export type HourBankDoc = v.InferOutput<typeof HourBankSchema>;
