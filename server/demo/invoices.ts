// Billing at closure (seed 000, F9) with the domain's rules: out of contract → billable
// item, maintenance → included, managed services → hours deducted from the bank. Hour
// banks are replayed in closing order, starting from what was used before the demo's
// three months, chosen so that a few banks end nearly exhausted.
import { DEFAULT_BILLING_RATES, billingAtClosure } from '../../src/lib/domain/billing.ts';
import type { BillingContract, BillingItem } from '../../src/lib/domain/billing.ts';
import type { BillingDoc, ReportDoc } from '../../src/lib/domain/schemas.ts';
import type { DemoClient } from './clients.ts';
import type { DemoContext } from './context.ts';
import { PARTS } from './equipment.ts';
import type { TicketStory } from './story.ts';

interface Closed {
	readonly client: DemoClient;
	readonly report: ReportDoc;
	readonly closedAt: string;
}

function contractOf(client: DemoClient, usedMinutes: number): BillingContract {
	const c = client.doc.contract;
	return {
		kind: c.kind,
		start: c.start,
		end: c.end,
		...(c.kind === 'managed'
			? { hourBankMinutes: Math.round((c.hourBank ?? 0) * 60), usedMinutes }
			: {})
	};
}

function itemFor(entry: Closed, usedMinutes: number): BillingItem {
	const { report } = entry;
	return billingAtClosure(
		{
			contract: contractOf(entry.client, usedMinutes),
			report: {
				times: report.times,
				travelMinutes: report.travelMinutes,
				parts: report.parts.map((p) => {
					const price = PARTS.find((known) => known.label === p.label)?.unitPrice;
					return {
						label: p.label,
						qty: p.qty,
						...(price === undefined ? {} : { unitPriceCents: price * 100 })
					};
				}),
				summary: report.tasks.join(' ; ')
			}
		},
		DEFAULT_BILLING_RATES,
		entry.closedAt
	);
}

const quarter = (minutes: number): number => Math.max(0, Math.round(minutes / 15) * 15);

export function buildBilling(
	ctx: DemoContext,
	clients: readonly DemoClient[],
	stories: readonly TicketStory[]
): BillingDoc[] {
	const byId = new Map(clients.map((c) => [c.doc._id, c]));
	const closed: Closed[] = [];
	for (const story of stories) {
		const closedAt = story.ticket.closure?.at;
		const client = byId.get(story.ticket.clientId ?? '');
		if (closedAt === undefined || client === undefined) continue;
		for (const report of story.reports) closed.push({ client, report, closedAt });
	}
	closed.sort((a, b) => a.closedAt.localeCompare(b.closedAt));

	// First pass: what the demo's interventions take from each bank.
	const deducted = new Map<DemoClient, number>();
	for (const entry of closed) {
		const item = itemFor(entry, 0);
		if (item.kind === 'hour_bank')
			deducted.set(entry.client, (deducted.get(entry.client) ?? 0) + item.deductedMinutes);
	}
	const used = new Map<DemoClient, number>();
	for (const client of clients) {
		const bank = client.doc.contract.hourBank;
		if (client.doc.contract.kind !== 'managed' || bank === undefined) continue;
		used.set(client, quarter(bank * 60 * (1 - client.bankLeftRatio) - (deducted.get(client) ?? 0)));
	}

	const docs: BillingDoc[] = [];
	for (const entry of closed) {
		const item = itemFor(entry, used.get(entry.client) ?? 0);
		if (item.kind === 'hour_bank')
			used.set(entry.client, (used.get(entry.client) ?? 0) + item.deductedMinutes);
		docs.push({
			...item,
			_id: ctx.id('billing', Date.parse(entry.closedAt)),
			type: 'billing',
			reportId: entry.report._id,
			ticketId: entry.report.ticketId,
			clientId: entry.client.doc._id
		});
	}
	for (const [client, minutes] of used) client.doc.contract.hoursUsed = minutes / 60;
	return docs;
}
