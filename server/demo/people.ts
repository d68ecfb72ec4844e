// The staff of the demo company, Aprile (the SSII of seed 000, Boulogne-Billancourt):
// hotliners, a level-2 expert group, field technicians with skills and a home base,
// one person in billing and one admin. The first of each kind have fixed logins so the
// README can list them; larger scales add more people with generated logins.
import type { UserDoc } from '../../src/lib/domain/schemas.ts';
import type { Role } from '../../src/lib/domain/schemas/people.ts';
import { userIdFor } from '../../src/lib/domain/ids.ts';
import type { Skill } from './catalogue.ts';
import { demoTeams, EXPERT_GROUP, FIELD_GROUP, HOTLINE_GROUP } from './catalogue.ts';
import type { DemoContext } from './context.ts';
import {
	FIRST_NAMES_F,
	FIRST_NAMES_M,
	LAST_NAMES,
	STREETS,
	TOWNS,
	mobilePhone,
	slug
} from './data.ts';
import type { Town } from './data.ts';
import type { Rng } from './rng.ts';

/** The one password of every demo account. */
export const DEMO_PASSWORD = 'terrain-demo';
export const COMPANY_DOMAIN = 'aprile.example';

export interface DemoUser {
	/** `user:<login>` */
	id: string;
	/** The login. */
	name: string;
	displayName: string;
	email: string;
	roles: Role[];
	groups: string[];
	skills: string[];
	password: string;
}

export interface Staff {
	readonly id: string;
	readonly login: string;
	readonly firstName: string;
	readonly lastName: string;
	readonly displayName: string;
	readonly email: string;
	readonly phone: string;
	readonly roles: readonly Role[];
	readonly groups: readonly string[];
	readonly skills: readonly Skill[];
	readonly base?: { readonly address: string; readonly lat: number; readonly lng: number };
	/** The agency at large scales (`demoTeams`). */
	readonly team?: string;
}

interface Seat {
	login: string;
	first: string;
	last: string;
	skills?: readonly Skill[];
	town?: string;
}

// prettier-ignore
const DISPATCHERS: readonly Seat[] = [
	{ login: 'claire.hotline', first: 'Claire', last: 'Dubois' },
	{ login: 'mehdi.hotline', first: 'Mehdi', last: 'Nabi' },
	{ login: 'sophie.hotline', first: 'Sophie', last: 'Lambert' }
];

// prettier-ignore
const EXPERTS: readonly Seat[] = [
	{ login: 'romain.expert', first: 'Romain', last: 'Quarré', skills: ['serveur', 'sauvegarde', 'securite'] },
	{ login: 'nathalie.expert', first: 'Nathalie', last: 'Girard', skills: ['reseau', 'wifi', 'telephonie'] },
	{ login: 'karim.expert', first: 'Karim', last: 'Haddad', skills: ['poste-de-travail', 'logiciel', 'messagerie'] }
];

// Every skill is held by at least two of the first ten technicians.
// prettier-ignore
const TECHNICIANS: readonly Seat[] = [
	{ login: 'tech.julien', first: 'Julien', last: 'Moreau', skills: ['reseau', 'wifi', 'securite'], town: 'Boulogne-Billancourt' },
	{ login: 'tech.camille', first: 'Camille', last: 'Lefèvre', skills: ['poste-de-travail', 'imprimante', 'logiciel'], town: 'Nanterre' },
	{ login: 'tech.nicolas', first: 'Nicolas', last: 'Garnier', skills: ['serveur', 'sauvegarde', 'securite'], town: 'Saint-Denis' },
	{ login: 'tech.lea', first: 'Léa', last: 'Fontaine', skills: ['telephonie', 'reseau', 'wifi'], town: 'Créteil' },
	{ login: 'tech.thomas', first: 'Thomas', last: 'Roussel', skills: ['poste-de-travail', 'messagerie', 'logiciel'], town: 'Versailles' },
	{ login: 'tech.ines', first: 'Inès', last: 'Benali', skills: ['imprimante', 'poste-de-travail', 'telephonie'], town: 'Montreuil' },
	{ login: 'tech.antoine', first: 'Antoine', last: 'Mercier', skills: ['serveur', 'messagerie', 'sauvegarde'], town: 'Issy-les-Moulineaux' },
	{ login: 'tech.sandrine', first: 'Sandrine', last: 'Perrin', skills: ['reseau', 'securite', 'serveur'], town: 'Cergy' },
	{ login: 'tech.hugo', first: 'Hugo', last: 'Chevalier', skills: ['wifi', 'imprimante', 'poste-de-travail'], town: 'Massy' },
	{ login: 'tech.marion', first: 'Marion', last: 'Blanchard', skills: ['logiciel', 'messagerie', 'telephonie', 'sauvegarde'], town: 'Paris 15e' }
];

const BILLING: Seat = { login: 'facturation', first: 'Isabelle', last: 'Roux' };
const ADMIN: Seat = { login: 'admin', first: 'Frédéric', last: 'Garcia' };

/** The fixed demo accounts (present at every scale), for the README and the start banner. */
export const DEMO_SIGN_INS: ReadonlyArray<{
	readonly login: string;
	readonly password: string;
	readonly role: Role;
	readonly displayName: string;
}> = [
	...DISPATCHERS.map((s) => signIn(s, 'dispatcher')),
	...EXPERTS.map((s) => signIn(s, 'expert')),
	...TECHNICIANS.map((s) => signIn(s, 'technician')),
	signIn(BILLING, 'billing'),
	signIn(ADMIN, 'admin')
];

function signIn(seat: Seat, role: Role) {
	return {
		login: seat.login,
		password: DEMO_PASSWORD,
		role,
		displayName: `${seat.first} ${seat.last}`
	};
}

function baseIn(town: Town, rng: Rng): NonNullable<Staff['base']> {
	return {
		address: `${rng.int(1, 120)} ${rng.pick(STREETS)}, ${town.postcode} ${town.name}`,
		lat: Number((town.lat + (rng.next() - 0.5) * 0.02).toFixed(5)),
		lng: Number((town.lng + (rng.next() - 0.5) * 0.03).toFixed(5))
	};
}

function uniqueEmail(first: string, last: string, emails: Set<string>): string {
	const local = `${slug(first)}.${slug(last)}`;
	let email = `${local}@${COMPANY_DOMAIN}`;
	for (let n = 2; emails.has(email); n++) email = `${local}${n}@${COMPANY_DOMAIN}`;
	emails.add(email);
	return email;
}

function person(seat: Seat, roles: Role[], groups: string[], rng: Rng, emails: Set<string>): Staff {
	const town = seat.town === undefined ? undefined : TOWNS.find((t) => t.name === seat.town);
	return {
		id: userIdFor(seat.login),
		login: seat.login,
		firstName: seat.first,
		lastName: seat.last,
		displayName: `${seat.first} ${seat.last}`,
		email: uniqueEmail(seat.first, seat.last, emails),
		phone: mobilePhone(rng),
		roles,
		groups,
		skills: seat.skills ?? [],
		...(town === undefined ? {} : { base: baseIn(town, rng) })
	};
}

/** More people of a kind at larger scales: random names, logins `<prefix>.<first>.<last>`. */
function extraSeats(
	template: readonly Seat[],
	count: number,
	prefix: string,
	rng: Rng,
	taken: Set<string>
): Seat[] {
	const seats: Seat[] = [];
	for (let i = template.length; i < count; i++) {
		const model = template[i % template.length] as Seat;
		const first = rng.pick(rng.chance(0.5) ? FIRST_NAMES_F : FIRST_NAMES_M);
		const last = rng.pick(LAST_NAMES);
		let login = `${prefix}.${slug(first)}.${slug(last)}`;
		for (let n = 2; taken.has(login); n++) login = `${prefix}.${slug(first)}.${slug(last)}${n}`;
		taken.add(login);
		seats.push({
			login,
			first,
			last,
			...(model.skills ? { skills: model.skills } : {}),
			town: rng.pick(TOWNS).name
		});
	}
	return seats;
}

export interface StaffRoster {
	readonly dispatchers: readonly Staff[];
	readonly experts: readonly Staff[];
	readonly technicians: readonly Staff[];
	readonly billing: Staff;
	readonly admin: Staff;
	readonly all: readonly Staff[];
}

/** The company's people. Desk and field staff grow with the scale; billing and admin do not. */
export function buildStaff(ctx: DemoContext): StaffRoster {
	const rng = ctx.stream('staff');
	const taken = new Set<string>(
		[...DISPATCHERS, ...EXPERTS, ...TECHNICIANS, BILLING, ADMIN].map((s) => s.login)
	);
	const seats = (template: readonly Seat[], prefix: string) => [
		...template,
		...extraSeats(template, template.length * ctx.scale, prefix, rng, taken)
	];
	const emails = new Set<string>();
	const make = (seat: Seat, role: Role, groups: string[]) =>
		person(seat, [role], groups, rng, emails);
	// Large scales: desk and field staff spread over the agencies, in turn.
	const teams = demoTeams(ctx.scale);
	const inTeam = (staff: Staff, i: number): Staff =>
		teams.length === 0 ? staff : { ...staff, team: teams[i % teams.length]!.id };
	const dispatchers = seats(DISPATCHERS, 'hotline').map((s, i) =>
		inTeam(make(s, 'dispatcher', [HOTLINE_GROUP]), i)
	);
	const experts = seats(EXPERTS, 'expert').map((s, i) =>
		inTeam(make(s, 'expert', [EXPERT_GROUP]), i)
	);
	const technicians = seats(TECHNICIANS, 'tech').map((s, i) =>
		inTeam(make(s, 'technician', [FIELD_GROUP]), i)
	);
	const billing = make(BILLING, 'billing', []);
	const admin = make(ADMIN, 'admin', []);
	return {
		dispatchers,
		experts,
		technicians,
		billing,
		admin,
		all: [...dispatchers, ...experts, ...technicians, billing, admin]
	};
}

export function userDoc(staff: Staff): UserDoc {
	return {
		_id: staff.id,
		type: 'user',
		name: staff.login,
		displayName: staff.displayName,
		email: staff.email,
		phone: staff.phone,
		roles: [...staff.roles],
		groups: [...staff.groups],
		skills: [...staff.skills],
		...(staff.base === undefined ? {} : { base: { ...staff.base } }),
		...(staff.team === undefined ? {} : { team: staff.team })
	};
}

export function demoUser(staff: Staff): DemoUser {
	return {
		id: staff.id,
		name: staff.login,
		displayName: staff.displayName,
		email: staff.email,
		roles: [...staff.roles],
		groups: [...staff.groups],
		skills: [...staff.skills],
		password: DEMO_PASSWORD
	};
}
