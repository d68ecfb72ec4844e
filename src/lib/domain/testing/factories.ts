/**
 * Test data: one small builder per document type, each valid by default and taking
 * overrides, so tests state only what matters to them.
 */
import type {
	BillingDoc,
	CalendarDoc,
	ClientDoc,
	ConfigDoc,
	EventDoc,
	GrantDoc,
	MissionDoc,
	ReportDoc,
	Role,
	SurveyDoc,
	Taxonomy,
	TechfileDoc,
	TicketDoc,
	UserDoc
} from '../schemas.ts';
import { techfileIdFor, toIso } from '../ids.ts';
import { actorFromUser, openTicket, transition, type Actor, type TicketAction } from '../ticket.ts';

/** Monday 3 March 2025, 09:00 UTC: inside business hours in Paris. */
export const T0 = '2025-03-03T09:00:00.000Z';

/** T0 plus some minutes, as an ISO string. */
export function at(minutes: number): string {
	return toIso(Date.parse(T0) + minutes * 60_000);
}

export function aUser(login: string, roles: Role[], overrides: Partial<UserDoc> = {}): UserDoc {
	return {
		_id: `user:${login}`,
		type: 'user',
		name: login,
		displayName: login.charAt(0).toUpperCase() + login.slice(1),
		email: `${login}@example.fr`,
		roles,
		groups: [],
		skills: [],
		...overrides
	};
}

export const people = {
	dispatcher: () => aUser('dina', ['dispatcher']),
	expert: (groups: string[] = ['network']) => aUser('eric', ['expert'], { groups }),
	technician: (login = 'theo') =>
		aUser(login, ['technician'], {
			skills: ['windows'],
			base: { address: '1 rue de Paris, Boulogne' }
		}),
	billing: () => aUser('bea', ['billing']),
	admin: () => aUser('ada', ['admin'])
};

export function actor(user: UserDoc): Actor {
	return actorFromUser(user);
}

export const requesterActor: Actor = { kind: 'requester', email: 'marie@client.fr' };
export const systemActor: Actor = { kind: 'system' };

export const taxonomy: Taxonomy = [
	{
		id: 'network',
		label: 'Réseau',
		routingGroup: 'network',
		subcategories: [
			{ id: 'wifi', label: 'Wi-Fi' },
			{ id: 'vpn', label: 'VPN', routingGroup: 'security' }
		]
	},
	{
		id: 'workstation',
		label: 'Poste de travail',
		routingGroup: 'desktop',
		subcategories: [{ id: 'printer', label: 'Imprimante' }]
	}
];

export function aClient(overrides: Partial<ClientDoc> = {}): ClientDoc {
	return {
		_id: 'client:C1',
		type: 'client',
		name: 'Aprile',
		sites: [
			{
				id: 's1',
				address: '12 rue du Château',
				city: 'Boulogne-Billancourt',
				postcode: '92100',
				lat: 48.835,
				lng: 2.24
			}
		],
		contacts: [
			{
				id: 'k1',
				name: 'Marie Durand',
				phone: '+33 1 23 45 67 89',
				email: 'marie@client.fr',
				role: 'office manager'
			}
		],
		contract: {
			kind: 'managed',
			start: '2025-01-01',
			end: '2025-12-31',
			hourBank: 40,
			hoursUsed: 12
		},
		commercialStatus: 'active',
		createdAt: T0,
		createdBy: 'user:dina',
		updatedAt: T0,
		updatedBy: 'user:dina',
		...overrides
	};
}

export function aTechfile(overrides: Partial<TechfileDoc> = {}): TechfileDoc {
	const clientId = overrides.clientId ?? 'client:C1';
	return {
		_id: techfileIdFor(clientId),
		type: 'techfile',
		clientId,
		equipment: [{ id: 'e1', kind: 'server', label: 'SRV-01', brand: 'Dell', serial: 'ABC123' }],
		network: {
			ranges: [{ id: 'n1', label: 'LAN', cidr: '192.168.1.0/24', gateway: '192.168.1.1' }]
		},
		software: [
			{ id: 'w1', name: 'Office', licences: [{ id: 'l1', seats: 10, expiresOn: '2026-01-31' }] }
		],
		credentials: [
			{
				id: 'c1',
				label: 'Admin SRV-01',
				username: 'administrateur',
				secret: 's3cret',
				confidential: true
			}
		],
		notes: '',
		createdAt: T0,
		createdBy: 'user:dina',
		updatedAt: T0,
		updatedBy: 'user:dina',
		...overrides
	};
}

/** A new ticket as an operator opens it on the phone. */
export function aTicket(overrides: Partial<TicketDoc> = {}): TicketDoc {
	const base = openTicket(
		{
			id: 'ticket:K1',
			kind: 'incident',
			title: 'Imprimante hors service',
			requester: { name: 'Marie Durand', email: 'marie@client.fr', phone: '+33 1 23 45 67 89' },
			source: 'phone',
			clientId: 'client:C1'
		},
		'user:dina',
		T0
	);
	return { ...base, ...overrides };
}

export const qualify: Extract<TicketAction, { type: 'qualify' }> = {
	type: 'qualify',
	category: 'network',
	subcategory: 'wifi',
	impact: 2,
	urgency: 1
};

/** Drives a ticket through real transitions, so every state used in tests is reachable. */
export function ticketThrough(
	actions: ReadonlyArray<[TicketAction, Actor]>,
	start: TicketDoc = aTicket()
): TicketDoc {
	let ticket = start;
	actions.forEach(([action, who], i) => {
		const result = transition(ticket, action, who, at(10 * (i + 1)), { taxonomy });
		if (!result.ok) throw new Error(`step ${i} (${action.type}) refused: ${result.error.message}`);
		ticket = result.value;
	});
	return ticket;
}

export function anEvent(overrides: Partial<EventDoc> = {}): EventDoc {
	return {
		_id: 'event:E1',
		type: 'event',
		subjectId: 'ticket:K1',
		ticketId: 'ticket:K1',
		kind: 'follow_up',
		visibility: 'internal',
		author: 'user:eric',
		authorName: 'Eric',
		at: at(30),
		body: 'Rappelé l’usager, redémarrage du routeur demandé.',
		...overrides
	};
}

export function aMission(overrides: Partial<MissionDoc> = {}): MissionDoc {
	return {
		_id: 'mission:M1',
		type: 'mission',
		ticketId: 'ticket:K1',
		clientId: 'client:C1',
		siteId: 's1',
		technicianId: 'user:theo',
		start: at(24 * 60),
		end: at(24 * 60 + 120),
		estimatedMinutes: 90,
		instructions: 'Remplacer le switch du 2e étage.',
		toBring: ['switch 24 ports'],
		status: 'planned',
		createdAt: T0,
		createdBy: 'user:dina',
		updatedAt: T0,
		updatedBy: 'user:dina',
		...overrides
	};
}

export function aReport(overrides: Partial<ReportDoc> = {}): ReportDoc {
	return {
		_id: 'report:R1',
		type: 'report',
		missionId: 'mission:M1',
		ticketId: 'ticket:K1',
		clientId: 'client:C1',
		technicianId: 'user:theo',
		times: [{ start: at(24 * 60), end: at(24 * 60 + 75) }],
		tasks: ['Switch remplacé', 'Tests de connectivité'],
		parts: [{ label: 'Switch 24 ports', qty: 1, ref: 'GS724' }],
		remarks: '',
		techfileChanges: [
			{ section: 'equipment', action: 'added', itemId: 'e2', summary: 'Nouveau switch GS724' }
		],
		outcome: 'resolved',
		signatures: {},
		travelMinutes: 30,
		createdAt: at(24 * 60),
		updatedAt: at(24 * 60 + 80),
		...overrides
	};
}

export function aSignedReport(overrides: Partial<ReportDoc> = {}): ReportDoc {
	return aReport({
		signatures: {
			technician: { name: 'Theo', at: at(24 * 60 + 80) },
			client: { name: 'Marie Durand', at: at(24 * 60 + 81) }
		},
		signedAt: at(24 * 60 + 81),
		hash: 'a'.repeat(64),
		...overrides
	});
}

export function aCalendarEntry(overrides: Partial<CalendarDoc> = {}): CalendarDoc {
	return {
		_id: 'calendar:A1',
		type: 'calendar',
		technicianId: 'user:theo',
		kind: 'absence',
		start: at(0),
		end: at(8 * 60),
		label: 'Congé',
		...overrides
	};
}

export function aGrant(overrides: Partial<GrantDoc> = {}): GrantDoc {
	return {
		_id: 'grant:G1',
		type: 'grant',
		technicianId: 'user:theo',
		clientId: 'client:C1',
		reason: 'Astreinte',
		requestedAt: T0,
		status: 'requested',
		...overrides
	};
}

export function anApprovedGrant(expiresAt: string, overrides: Partial<GrantDoc> = {}): GrantDoc {
	return aGrant({
		status: 'approved',
		decidedBy: 'user:ada',
		decidedAt: at(5),
		expiresAt,
		...overrides
	});
}

export function aConfig(kind: ConfigDoc['kind']): ConfigDoc {
	const base = { _id: `config:${kind}`, type: 'config' as const };
	switch (kind) {
		case 'taxonomy':
			return { ...base, kind, categories: [...taxonomy] };
		case 'priority_matrix':
			return {
				...base,
				kind,
				matrix: [
					['P1', 'P2', 'P3'],
					['P2', 'P3', 'P4'],
					['P3', 'P4', 'P5']
				]
			};
		case 'sla':
			return {
				...base,
				kind,
				policy: { targets: {}, atRiskRatio: 0.75 },
				businessHours: { timeZone: 'Europe/Paris' }
			} as ConfigDoc;
		case 'notice_templates':
			return {
				...base,
				kind,
				templates: {
					ticket_created: { subject: 'Demande n° {{number}}', body: 'Bonjour {{requester}}' }
				}
			};
		case 'access':
			return { ...base, kind, windowDays: 7, docCap: 10_000 };
		case 'billing_rates':
			return { ...base, kind, rates: { hourlyRateCents: 7500 } } as ConfigDoc;
		case 'requester':
			return { ...base, kind, reopenDays: 14 };
		case 'planning':
			return {
				...base,
				kind,
				skills: [
					{ id: 'reseau', label: 'Réseau', labelEn: 'Network' },
					{ id: 'imprimante', label: 'Imprimante', labelEn: 'Printer' }
				],
				slotMinutes: 15
			};
		case 'company':
			return {
				...base,
				kind,
				name: 'Maintenance Informatique Ouest',
				address: ['3 rue des Lilas', '44000 Nantes'],
				phone: '02 40 00 00 00',
				email: 'contact@mio.example',
				siret: '12345678900011'
			};
		case 'groups':
			return {
				...base,
				kind,
				groups: [
					{ id: 'network', label: 'Réseau et télécoms' },
					{ id: 'security', label: 'Sécurité' },
					{ id: 'desktop', label: 'Postes de travail' }
				]
			};
		case 'escalation':
			return {
				...base,
				kind,
				enabled: true,
				steps: [
					{ level: 2, tell: [] },
					{ level: 3, group: 'security', tell: [] }
				]
			};
	}
}

export function aSurvey(overrides: Partial<SurveyDoc> = {}): SurveyDoc {
	return {
		_id: 'survey:K1',
		type: 'survey',
		ticketId: 'ticket:K1',
		rating: 4,
		comment: 'Rapide et clair.',
		answeredAt: at(3 * 24 * 60),
		...overrides
	};
}

export function aBillingItem(overrides: Partial<BillingDoc> = {}): BillingDoc {
	return {
		_id: 'billing:B1',
		type: 'billing',
		reportId: 'report:R1',
		ticketId: 'ticket:K1',
		clientId: 'client:C1',
		kind: 'hour_bank',
		appliedContract: 'managed',
		contractKind: 'managed',
		interventionDate: '2025-03-04',
		onSiteMinutes: 75,
		travelMinutes: 30,
		description: 'Switch remplacé',
		lines: [],
		subtotalCents: 0,
		vatCents: 0,
		totalCents: 0,
		currency: 'EUR',
		warnings: [],
		computedAt: at(24 * 60 + 90),
		deductedMinutes: 75,
		bankMinutes: 2400,
		balanceBeforeMinutes: 1680,
		balanceAfterMinutes: 1605,
		lowBalanceThresholdMinutes: 240,
		...overrides
	} as BillingDoc;
}
