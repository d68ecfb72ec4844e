// Deterministic demo data for Terrain: a French IT services company (Aprile), its staff,
// 40 × scale clients with technical files and ~300 × scale tickets over the three months
// before `now`, in every state, with missions, signed reports, billing, calendars and the
// referentials. Pure: no I/O, no clock, no Math.random — the same (seed, scale, now)
// always gives the same documents.
import { demoTeams } from './catalogue.ts';
import type { Doc } from '../../src/lib/domain/schemas.ts';
import type { TicketRules } from '../../src/lib/domain/ticket.ts';
import { ITIL_PRIORITY_MATRIX } from '../../src/lib/domain/priority.ts';
import { buildClients } from './clients.ts';
import { DEMO_TAXONOMY, buildConfig } from './config.ts';
import { createContext } from './context.ts';
import { buildGrants } from './grants.ts';
import { buildBilling } from './invoices.ts';
import { buildStaff, demoUser, userDoc, type DemoUser } from './people.ts';
import { planTickets } from './plans.ts';
import { assignAccess } from './readers.ts';
import { tell, type StoryEnv } from './scenarios.ts';
import { Planner, buildCalendar } from './schedule.ts';

export { DEMO_PASSWORD, DEMO_SIGN_INS, type DemoUser } from './people.ts';

/** The first human ticket number; the server numbers tickets from the next one. */
export const FIRST_TICKET_NUMBER = 10001;

export interface DemoOptions {
	/** Any integer; the same seed gives the same data. Default 1. */
	seed?: number;
	/** Size factor for benchmarks: clients, tickets and desk/field staff grow with it. Default 1. */
	scale?: number;
	/** The instant the demo is built around: "today" for the technicians' missions. */
	now: Date;
}

export interface DemoData {
	/** Accounts with their password: credentials go to the private user store, not `docs`. */
	users: DemoUser[];
	/** Every document, each valid for `parseDoc` and carrying its `access`. */
	docs: Doc[];
}

export function generateDemo({ seed = 1, scale = 1, now }: DemoOptions): DemoData {
	if (!Number.isInteger(scale) || scale < 1)
		throw new RangeError(`scale must be a whole number ≥ 1 (got ${scale})`);
	const ctx = createContext(seed, scale, now);
	const staff = buildStaff(ctx);
	const clients = buildClients(ctx);
	const planner = new Planner(staff.technicians);
	const calendar = buildCalendar(ctx, planner);
	const grants = buildGrants(ctx, staff, clients);
	const rules: TicketRules = { taxonomy: DEMO_TAXONOMY, matrix: ITIL_PRIORITY_MATRIX };
	const env: StoryEnv = { ctx, rules, signatures: new Map() };
	const stories = planTickets(ctx, staff, clients, planner).map((plan, i) =>
		tell(env, plan, FIRST_TICKET_NUMBER + i)
	);
	const billing = buildBilling(clients, stories);

	const docs: Doc[] = [
		...buildConfig(demoTeams(scale)),
		...staff.all.map(userDoc),
		...clients.flatMap((c) => [c.doc, c.techfile]),
		...calendar,
		...grants,
		...stories.flatMap((s) => [s.ticket, ...s.missions, ...s.reports, ...s.events]),
		...billing
	];
	assignAccess(docs, ctx.now);
	return { users: staff.all.map(demoUser), docs };
}
