// The client companies: sites, contacts and contract (maintenance, managed services with
// an hour bank, or none; some expired), plus their technical files.
import { demoTeams } from './catalogue.ts';
import type { ClientDoc, Contact, Contract, Site } from '../../src/lib/domain/schemas.ts';
import type { DemoContext } from './context.ts';
import {
	COMPANY_CORES,
	COMPANY_PREFIXES,
	COMPANY_SUFFIXES,
	FIRST_NAMES_F,
	FIRST_NAMES_M,
	JOB_TITLES,
	LAST_NAMES,
	SITE_LABELS,
	STREETS,
	TOWNS,
	landline,
	mobilePhone,
	slug
} from './data.ts';
import type { Rng } from './rng.ts';
import { buildTechfile } from './techfiles.ts';
import type { TechfileDoc } from '../../src/lib/domain/schemas.ts';
import { DAY, iso, isoDay } from './time.ts';

export const CLIENTS_PER_SCALE = 40;
const CREATED_BY = 'user:admin';

export interface DemoClient {
	readonly doc: ClientDoc;
	readonly techfile: TechfileDoc;
	/** Short code used in host names ("LUM" for Cabinet Lumière). */
	readonly code: string;
	readonly domain: string;
	/** How many tickets the client raises, relative to the others. */
	readonly weight: number;
	/** Managed services: share of the bank left at `now` that the demo aims for. */
	readonly bankLeftRatio: number;
}

function companyName(rng: Rng, taken: Set<string>): string {
	for (let attempt = 0; attempt < 50; attempt++) {
		const core = rng.pick(COMPANY_CORES);
		const name = rng.chance(0.5)
			? `${rng.pick(COMPANY_PREFIXES)} ${core}`
			: `${core} ${rng.pick(COMPANY_SUFFIXES)}`;
		if (!taken.has(name)) {
			taken.add(name);
			return name;
		}
	}
	// Large scales run out of combinations: number the branch.
	const name = `${rng.pick(COMPANY_PREFIXES)} ${rng.pick(COMPANY_CORES)} ${taken.size + 1}`;
	taken.add(name);
	return name;
}

function sites(rng: Rng): Site[] {
	const count = rng.weighted([1, 2, 3], [6, 3, 1]);
	const towns = rng.sample(TOWNS, count);
	return towns.map((town, i) => ({
		id: `site-${i + 1}`,
		label: i === 0 ? 'Siège' : `${rng.pick(SITE_LABELS.slice(1))} ${town.name}`,
		address: `${rng.int(1, 180)} ${rng.pick(STREETS)}`,
		city: town.name,
		postcode: town.postcode,
		lat: Number((town.lat + (rng.next() - 0.5) * 0.02).toFixed(5)),
		lng: Number((town.lng + (rng.next() - 0.5) * 0.03).toFixed(5))
	}));
}

function contacts(rng: Rng, domain: string): Contact[] {
	const count = rng.weighted([1, 2, 3, 4], [2, 4, 3, 2]);
	const used = new Set<string>();
	const out: Contact[] = [];
	for (let i = 0; out.length < count && i < 20; i++) {
		const first = rng.pick(rng.chance(0.5) ? FIRST_NAMES_F : FIRST_NAMES_M);
		const last = rng.pick(LAST_NAMES);
		const email = `${slug(first)}.${slug(last)}@${domain}`;
		if (used.has(email)) continue;
		used.add(email);
		out.push({
			id: `contact-${out.length + 1}`,
			name: `${first} ${last}`,
			phone: rng.chance(0.6) ? landline(rng) : mobilePhone(rng),
			email,
			role:
				out.length === 0
					? rng.pick(['Gérant', 'Directrice administrative', 'Responsable informatique'])
					: rng.pick(JOB_TITLES)
		});
	}
	return out;
}

const BANK_SIZES = [20, 30, 40, 50, 60, 80, 100] as const;

/** Contract dates around `today`; an expired one ended 2 to 10 weeks ago. */
function contract(rng: Rng, today: number): { contract: Contract; bankLeftRatio: number } {
	const kind = rng.weighted(['maintenance', 'managed', 'none'] as const, [4, 3, 3]);
	if (kind === 'none') return { contract: { kind }, bankLeftRatio: 1 };
	const expired = rng.chance(0.15);
	const end = expired ? today - rng.int(14, 70) : today + rng.int(20, 330);
	const start = end - (rng.chance(0.7) ? 364 : 729);
	const base: Contract = { kind, start: isoDay(start), end: isoDay(end) };
	if (kind === 'maintenance') return { contract: base, bankLeftRatio: 1 };
	// A few banks are nearly used up, so the hour-bank warnings show in the demo.
	const bankLeftRatio = rng.chance(0.25) ? 0.02 + rng.next() * 0.06 : 0.2 + rng.next() * 0.6;
	return { contract: { ...base, hourBank: rng.pick(BANK_SIZES), hoursUsed: 0 }, bankLeftRatio };
}

function codeOf(name: string, taken: Set<string>): string {
	const letters = slug(name).replace(/-/g, '').toUpperCase();
	let code = letters.slice(0, 3);
	for (let n = 2; taken.has(code); n++) code = `${letters.slice(0, 2)}${n}`;
	taken.add(code);
	return code;
}

export function buildClients(ctx: DemoContext): DemoClient[] {
	const rng = ctx.stream('clients');
	const names = new Set<string>();
	const codes = new Set<string>();
	const count = CLIENTS_PER_SCALE * ctx.scale;
	const teams = demoTeams(ctx.scale);
	const out: DemoClient[] = [];
	for (let i = 0; i < count; i++) {
		const name = companyName(rng, names);
		const code = codeOf(name, codes);
		const domain = `${slug(name)}.example`;
		const createdAt = ctx.now - rng.int(200, 2000) * DAY;
		const updatedAt = createdAt + rng.int(1, 150) * DAY;
		const { contract: c, bankLeftRatio } = contract(rng, ctx.today);
		const status =
			c.kind === 'none'
				? rng.weighted(['active', 'prospect'] as const, [5, 1])
				: rng.weighted(['active', 'suspended'] as const, [12, 1]);
		const doc: ClientDoc = {
			_id: ctx.id('client', createdAt),
			type: 'client',
			name,
			sites: sites(rng),
			contacts: contacts(rng, domain),
			contract: c,
			commercialStatus: status,
			// Large scales: each client in an agency's portfolio, in turn.
			...(teams.length === 0 ? {} : { team: teams[i % teams.length]!.id }),
			createdAt: iso(createdAt),
			createdBy: CREATED_BY,
			updatedAt: iso(updatedAt),
			updatedBy: CREATED_BY
		};
		const techfile = buildTechfile(doc, code, ctx, rng.fork(doc._id));
		out.push({
			doc,
			techfile,
			code,
			domain,
			weight: c.kind === 'none' ? 0.6 : 0.6 + rng.next() * 1.4,
			bankLeftRatio
		});
	}
	return out;
}
