// Billing at closure (seed 000, F9) with the domain's rules, as the server's billing job
// writes it (closure-billing.ts, same ids): out of contract → billable item, maintenance →
// included, managed services → hours taken from the bank by a movement. Hour banks are
// replayed in closing order, starting from what was used before the demo's three months
// (`hoursUsed`, entered once), chosen so that a few banks end nearly exhausted; the balance
// is the bank less that and the movements (hour-bank.ts).
import { DEFAULT_BILLING_RATES, billingAtClosure } from '../../src/lib/domain/billing.ts';
import type { BillingRates } from '../../src/lib/domain/billing.ts';
import {
	billingContract,
	closureBilling,
	reportBillingInput
} from '../../src/lib/domain/closure-billing.ts';
import type {
	BillingDoc,
	HourBankDoc,
	ReportDoc,
	TicketDoc
} from '../../src/lib/domain/schemas.ts';
import type { DemoClient } from './clients.ts';
import { PARTS } from './equipment.ts';
import type { TicketStory } from './story.ts';

/** The demo's rates: the defaults, and its parts price list. */
export const DEMO_BILLING_RATES: BillingRates = {
	...DEFAULT_BILLING_RATES,
	partPrices: PARTS.map((p) => ({ label: p.label, unitPriceCents: p.unitPrice * 100 }))
};

interface Closed {
	readonly client: DemoClient;
	readonly ticket: TicketDoc;
	readonly reports: readonly ReportDoc[];
	readonly closedAt: string;
}

const quarter = (minutes: number): number => Math.max(0, Math.round(minutes / 15) * 15);

export function buildBilling(
	clients: readonly DemoClient[],
	stories: readonly TicketStory[]
): Array<BillingDoc | HourBankDoc> {
	const byId = new Map(clients.map((c) => [c.doc._id, c]));
	const closed: Closed[] = [];
	for (const story of stories) {
		const closedAt = story.ticket.closure?.at;
		const client = byId.get(story.ticket.clientId ?? '');
		if (closedAt === undefined || client === undefined) continue;
		closed.push({ client, ticket: story.ticket, reports: story.reports, closedAt });
	}
	closed.sort((a, b) => a.closedAt.localeCompare(b.closedAt));

	// First pass: what the demo's interventions take from each bank.
	const deducted = new Map<DemoClient, number>();
	for (const entry of closed)
		for (const report of entry.reports) {
			if (report.signedAt === undefined) continue;
			const item = billingAtClosure(
				{
					contract: billingContract(entry.client.doc, 0),
					report: reportBillingInput(report, DEMO_BILLING_RATES)
				},
				DEMO_BILLING_RATES,
				entry.closedAt
			);
			if (item.kind === 'hour_bank')
				deducted.set(entry.client, (deducted.get(entry.client) ?? 0) + item.deductedMinutes);
		}
	// Used before the demo's months: what leaves the bank at its chosen ratio after them.
	for (const client of clients) {
		const bank = client.doc.contract.hourBank;
		if (client.doc.contract.kind !== 'managed' || bank === undefined) continue;
		const before = quarter(bank * 60 * (1 - client.bankLeftRatio) - (deducted.get(client) ?? 0));
		client.doc.contract.hoursUsed = before / 60;
	}

	const docs: Array<BillingDoc | HourBankDoc> = [];
	const moves = new Map<string, HourBankDoc[]>();
	for (const entry of closed) {
		const clientMoves = moves.get(entry.client.doc._id) ?? [];
		const done = closureBilling({
			ticket: entry.ticket,
			closedAt: entry.closedAt,
			reports: entry.reports,
			client: entry.client.doc,
			rates: DEMO_BILLING_RATES,
			billed: [],
			movements: clientMoves,
			now: entry.closedAt
		});
		docs.push(...done.items, ...done.moves);
		moves.set(entry.client.doc._id, [...clientMoves, ...done.moves]);
	}
	return docs;
}
