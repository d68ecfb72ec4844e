import { describe, expect, it } from 'vitest';
import {
	describeIssue,
	isDocOf,
	isIsoDate,
	isIsoTimestamp,
	parseAs,
	parseBilling,
	parseCalendar,
	parseClient,
	parseConfig,
	parseDoc,
	parseEvent,
	parseGrant,
	parseMission,
	parseReport,
	parseTechfile,
	parseTicket,
	parseUser,
	unknownPlaceholders,
	type DocErrors
} from './schemas.ts';
import type { Result } from './result.ts';
import {
	aBillingItem,
	aCalendarEntry,
	aClient,
	aConfig,
	aGrant,
	aMission,
	anApprovedGrant,
	anEvent,
	aReport,
	aSignedReport,
	aTechfile,
	aTicket,
	aUser,
	at,
	people,
	qualify,
	ticketThrough,
	actor
} from './testing/factories.ts';

function errors<T>(result: Result<T, DocErrors>): readonly string[] {
	if (result.ok) throw new Error('expected the document to be refused');
	return result.error;
}

describe('every factory builds a valid document', () => {
	const docs = {
		client: aClient(),
		techfile: aTechfile(),
		ticket: aTicket(),
		event: anEvent(),
		mission: aMission(),
		report: aReport(),
		signedReport: aSignedReport(),
		calendar: aCalendarEntry(),
		user: people.technician(),
		grant: aGrant(),
		approvedGrant: anApprovedGrant(at(60)),
		billing: aBillingItem(),
		taxonomy: aConfig('taxonomy'),
		matrix: aConfig('priority_matrix'),
		sla: aConfig('sla'),
		notices: aConfig('notice_templates'),
		access: aConfig('access'),
		rates: aConfig('billing_rates')
	};
	for (const [name, doc] of Object.entries(docs)) {
		it(name, () => {
			const result = parseDoc(doc);
			expect(result.ok ? 'valid' : result.error).toBe('valid');
		});
	}

	it('per-type parsers agree', () => {
		expect(parseClient(aClient()).ok).toBe(true);
		expect(parseTechfile(aTechfile()).ok).toBe(true);
		expect(parseTicket(aTicket()).ok).toBe(true);
		expect(parseEvent(anEvent()).ok).toBe(true);
		expect(parseMission(aMission()).ok).toBe(true);
		expect(parseReport(aReport()).ok).toBe(true);
		expect(parseCalendar(aCalendarEntry()).ok).toBe(true);
		expect(parseUser(people.admin()).ok).toBe(true);
		expect(parseGrant(aGrant()).ok).toBe(true);
		expect(parseConfig(aConfig('access')).ok).toBe(true);
		expect(parseBilling(aBillingItem()).ok).toBe(true);
		expect(parseDoc(aClient()).ok).toBe(true);
		expect(isDocOf('client', aTicket())).toBe(false);
	});
});

describe('errors name the field and the rule', () => {
	it('dispatches on type and refuses what is not a document', () => {
		expect(errors(parseDoc(null))).toEqual(['document: must be an object with fields']);
		expect(errors(parseDoc([]))).toEqual(['document: must be an object with fields']);
		expect(errors(parseDoc({ _id: 'x:1' }))).toEqual(['document.type: is required']);
		expect(errors(parseDoc({ type: 'foo' }))).toEqual(['unknown document type "foo"']);
	});

	it('explains wrong values in words', () => {
		const raw = {
			...aTicket(),
			impact: 5,
			title: '  ',
			source: 'fax',
			assignees: 'x',
			preTicket: 'yes'
		};
		expect(errors(parseDoc(raw))).toEqual(
			expect.arrayContaining([
				'ticket.impact: must be 1, 2 or 3',
				'ticket.title: must not be empty',
				'ticket.source: must be "phone", "form", "email", "walk_in" or "technician"',
				'ticket.assignees: must be a list',
				'ticket.preTicket: must be true or false'
			])
		);
	});

	it('says when a field is missing, with the path to nested fields', () => {
		const { name: _n, ...client } = aClient();
		const raw = { ...client, sites: [{ id: 's1', address: 'x', postcode: '92100' }] };
		expect(errors(parseClient(raw))).toEqual([
			'client.name: is required',
			'client.sites[0].city: is required'
		]);
	});

	it('checks the id prefix, the type and the principals', () => {
		const raw = { ...aClient(), _id: 'ticket:1', access: ['everyone'] };
		expect(errors(parseClient(raw))).toEqual([
			'client._id: must be a client id ("client:…")',
			'client.access[0]: must be a principal: "user:<id>", "role:<name>" or "group:<name>"'
		]);
	});

	it('checks dates and times for real calendar days', () => {
		expect(isIsoTimestamp('2025-03-03T09:00:00Z')).toBe(true);
		expect(isIsoTimestamp('2025-03-03T09:00+01:00')).toBe(true);
		expect(isIsoTimestamp('2025-02-29T09:00:00Z')).toBe(false);
		expect(isIsoTimestamp('2024-02-29T09:00:00.123456Z')).toBe(true);
		expect(isIsoTimestamp('2025-03-03 09:00:00')).toBe(false);
		expect(isIsoDate('2025-04-31')).toBe(false);
		expect(isIsoDate('2025-13-01')).toBe(false);
		expect(errors(parseEvent(anEvent({ at: 'yesterday' })))).toEqual([
			'event.at: must be a date and time such as 2025-03-14T09:30:00Z'
		]);
	});

	it('reports numbers out of range', () => {
		const raw = { ...aMission(), estimatedMinutes: 0 };
		expect(errors(parseMission(raw))).toEqual(['mission.estimatedMinutes: must be at least 1']);
		const site = { ...aClient().sites[0], lat: 91 };
		expect(errors(parseClient({ ...aClient(), sites: [site] }))).toEqual([
			'client.sites[0].lat: must be between -90 and 90'
		]);
	});

	it('keeps top-level fields it does not know (a newer app wrote them)', () => {
		const parsed = parseTicket({ ...aTicket(), futureField: 42 });
		expect(parsed.ok && (parsed.value as unknown as { futureField: number }).futureField).toBe(42);
	});
});

describe('cross-field rules', () => {
	it('tickets: qualified tickets are classified, outcomes match the status', () => {
		const qualified = ticketThrough([[qualify, actor(people.dispatcher())]]);
		const { group: _g, ...noGroup } = qualified;
		expect(errors(parseTicket(noGroup))).toEqual([
			'ticket.group: is required once the ticket is qualified'
		]);
		expect(errors(parseTicket({ ...qualified, status: 'closed' }))).toEqual([
			'ticket.closure: is required when, and only when, the status is closed'
		]);
		expect(errors(parseTicket({ ...qualified, status: 'pending' }))).toEqual([
			'ticket.pending: is required when, and only when, the status is pending'
		]);
		expect(errors(parseTicket({ ...qualified, status: 'resolved' }))).toEqual([
			'ticket.resolution: is required when resolved, and kept only until closed'
		]);
		expect(errors(parseTicket({ ...qualified, status: 'cancelled' }))).toEqual([
			'ticket.cancellation: is required when, and only when, the status is cancelled'
		]);
		expect(errors(parseTicket({ ...qualified, status: 'assigned' }))).toEqual([
			'ticket.assignees: needs at least one person while assigned, planned or in progress'
		]);
		expect(errors(parseTicket({ ...qualified, preTicket: true }))).toEqual([
			'ticket.preTicket: a pre-ticket must be new (or cancelled) until qualified'
		]);
		const { category: _c, ...noCategory } = aTicket({ subcategory: 'wifi' });
		expect(errors(parseTicket(noCategory))).toEqual(['ticket.subcategory: needs a category']);
		expect(
			errors(parseTicket(aTicket({ links: [{ kind: 'related', ticketId: 'ticket:K1' }] })))
		).toEqual(['ticket.links: must not link the ticket to itself or repeat a link']);
		expect(errors(parseTicket(aTicket({ updatedAt: '2020-01-01T00:00:00Z' })))).toEqual([
			'ticket.updatedAt: must not be before createdAt'
		]);
		expect(errors(parseTicket(aTicket({ assignees: ['theo'] })))).toEqual([
			'ticket.assignees: must hold user ids ("user:…")'
		]);
	});

	it('clients: contracts carry what their kind needs', () => {
		const contract = (c: object) => errors(parseClient(aClient({ contract: c as never })));
		expect(contract({ kind: 'managed', start: '2025-01-01', end: '2025-12-31' })).toEqual([
			'client.contract.hourBank: is required for a managed-services contract'
		]);
		expect(contract({ kind: 'maintenance' })).toEqual([
			'client.contract.start: is required for a maintenance or managed-services contract',
			'client.contract.end: is required for a maintenance or managed-services contract'
		]);
		expect(contract({ kind: 'maintenance', start: '2025-02-01', end: '2025-01-01' })).toEqual([
			'client.contract.end: must not be before the start'
		]);
		expect(parseClient(aClient({ contract: { kind: 'none' } })).ok).toBe(true);
		expect(
			errors(parseClient(aClient({ contacts: [...aClient().contacts, ...aClient().contacts] })))
		).toEqual(['client.contacts: ids must be unique']);
	});

	it('technical files belong to their client, credentials are confidential', () => {
		expect(errors(parseTechfile(aTechfile({ _id: 'techfile:OTHER' })))).toEqual([
			'techfile._id: must be the technical file of its client ("techfile:" + the client id after "client:")'
		]);
		const cred = { ...aTechfile().credentials[0], confidential: false };
		expect(errors(parseTechfile(aTechfile({ credentials: [cred as never] })))).toEqual([
			'techfile.credentials[0].confidential: must be true'
		]);
	});

	it('reports: signatures, signing time and hash go together', () => {
		expect(errors(parseReport(aReport({ signedAt: at(90) })))).toEqual(
			expect.arrayContaining([
				'report.signatures: both signatures go with signedAt: a report is signed by the technician and the client at once'
			])
		);
		expect(errors(parseReport(aSignedReport({ hash: 'ABC' })))).toEqual([
			'report.hash: must be a SHA-256 in lower-case hex'
		]);
		const { hash: _h, ...unsealed } = aSignedReport();
		expect(errors(parseReport(unsealed))).toEqual([
			'report.hash: is required when, and only when, the report is signed'
		]);
		expect(errors(parseReport(aReport({ times: [{ start: at(10), end: at(5) }] })))).toEqual([
			'report.times[0].end: must be after start'
		]);
		expect(errors(parseReport(aReport({ parts: [{ label: 'x', qty: 0 }] })))).toEqual([
			'report.parts[0].qty: must be more than 0'
		]);
	});

	it('missions, calendars, grants and users', () => {
		expect(errors(parseMission(aMission({ end: aMission().start })))).toEqual([
			'mission.end: must be after start'
		]);
		expect(errors(parseCalendar(aCalendarEntry({ end: at(0) })))).toEqual([
			'calendar.end: must be after start'
		]);
		expect(errors(parseGrant(aGrant({ status: 'approved' })))).toEqual([
			'grant.decidedBy: is required once decided, and only then',
			'grant.decidedAt: is required once decided, and only then',
			'grant.expiresAt: is required for an approval'
		]);
		expect(errors(parseGrant(anApprovedGrant('2020-01-01T00:00:00Z')))).toEqual([
			'grant.expiresAt: must be after the request'
		]);
		expect(errors(parseUser(aUser('Theo', ['technician'])))).toEqual(
			expect.arrayContaining([
				'user.name: must be a login: lower-case letters, digits, ".", "_", "-" or "@"'
			])
		);
		expect(errors(parseUser({ ...people.admin(), _id: 'user:other' }))).toEqual([
			'user._id: must be "user:" followed by the login name'
		]);
		expect(errors(parseUser({ ...people.admin(), roles: ['admin', 'admin'] }))).toEqual([
			'user.roles: must not repeat a role'
		]);
		expect(errors(parseUser({ ...people.admin(), email: 'nope' }))).toEqual([
			'user.email: must be an e-mail address'
		]);
	});

	it('config: one document per kind, templates use known placeholders', () => {
		expect(errors(parseConfig({ ...aConfig('access'), _id: 'config:other' }))).toEqual([
			'config._id: must be "config:" followed by the kind'
		]);
		expect(errors(parseConfig({ _id: 'config:x', type: 'config', kind: 'x' }))[0]).toMatch(
			/^config\.kind: must be "taxonomy", "priority_matrix", .* or "escalation"$/
		);
		expect(
			errors(parseConfig({ ...aConfig('priority_matrix'), matrix: [['P1', 'P2', 'P9']] }))
		).toEqual(
			expect.arrayContaining(['config.matrix[0][2]: must be "P1", "P2", "P3", "P4" or "P5"'])
		);
		const bad = {
			...aConfig('notice_templates'),
			templates: { ticket_closed: { subject: 'n° {{numero}}', body: 'ok' } }
		};
		expect(errors(parseConfig(bad))[0]).toMatch(
			/^config\.templates\.ticket_closed\.subject: may only use the placeholders \{\{number\}\}/
		);
		expect(unknownPlaceholders('{{ number }} {{foo}} {{}}')).toEqual(['foo', '']);
		expect(
			errors(
				parseConfig({
					...aConfig('taxonomy'),
					categories: [
						{ id: 'a', label: 'A', routingGroup: 'g', subcategories: [] },
						{ id: 'a', label: 'B', routingGroup: 'g', subcategories: [] }
					]
				})
			)
		).toEqual(['config.categories: ids must be unique']);
		expect(errors(parseConfig({ ...aConfig('access'), windowDays: 400 }))).toEqual([
			'config.windowDays: must be at most 365 days'
		]);
		expect(parseConfig(aConfig('planning')).ok).toBe(true);
		expect(errors(parseConfig({ ...aConfig('planning'), slotMinutes: 7 }))).toEqual([
			'config.slotMinutes: must divide the hour (5, 10, 15, 30, 60…)'
		]);
		expect(
			errors(parseConfig({ ...aConfig('planning'), skills: [{ id: 'Réseau', label: 'Réseau' }] }))
		).toEqual(['config.skills[0].id: must be lower-case letters, digits and dashes']);
	});

	it('config: the SLA and billing parts use the schemas of sla.ts, business-hours.ts and billing.ts', () => {
		const sla = parseAs('config', {
			...aConfig('sla'),
			businessHours: { timeZone: 'Mars/Olympus' }
		});
		expect(errors(sla)[0]).toMatch(/^config\.businessHours\.timeZone: /);
		const filled = parseConfig(aConfig('sla'));
		expect(filled.ok && filled.value.kind === 'sla' && filled.value.businessHours.week.mon).toEqual(
			[{ from: '08:30', to: '16:30' }]
		);
	});

	it('events and billing items are structured', () => {
		expect(errors(parseEvent(anEvent({ kind: 'gossip' as never })))[0]).toMatch(
			/^event\.kind: must be "follow_up", /
		);
		expect(errors(parseEvent(anEvent({ subjectId: 'nothing' })))).toEqual([
			'event.subjectId: must be a document id such as "ticket:…"'
		]);
		expect(errors(parseBilling(aBillingItem({ totalCents: 1.5 })))).toEqual([
			'billing.totalCents: must be a whole number of cents'
		]);
	});
});

describe('fallback messages for checks without their own', () => {
	it('says in words what kind of value is expected', () => {
		const raw = { ...anEvent(), data: 'x', visibility: 3 };
		expect(errors(parseEvent(raw))).toEqual([
			'event.visibility: must be "internal" or "requester"',
			'event.data: must be an object with fields'
		]);
		expect(errors(parseReport({ ...aReport(), signatures: 'x', remarks: 4 }))).toEqual([
			'report.remarks: must be text',
			'report.signatures: must be an object with fields'
		]);
		expect(errors(parseConfig({ ...aConfig('priority_matrix'), matrix: 'x' }))).toEqual([
			'config.matrix: must be a list'
		]);
		expect(errors(parseMission({ ...aMission(), estimatedMinutes: 'x' }))).toEqual([
			'mission.estimatedMinutes: must be a number'
		]);
		expect(errors(parseBilling({ ...aBillingItem(), kind: 'gift' }))).toEqual([
			'billing.kind: must be "billable", "included" or "hour_bank"'
		]);
		expect(errors(parseBilling({ ...aBillingItem(), currency: 'USD' }))).toEqual([
			'billing.currency: must be "EUR"'
		]);
	});

	it('explains numeric bounds of schemas written without messages', () => {
		const rates = (r: object) => errors(parseConfig({ ...aConfig('billing_rates'), rates: r }));
		expect(rates({ vatRateBasisPoints: 1.5 })).toEqual([
			'config.rates.vatRateBasisPoints: must be a whole number'
		]);
		expect(rates({ vatRateBasisPoints: -1 })).toEqual([
			'config.rates.vatRateBasisPoints: must be at least 0'
		]);
		expect(rates({ vatRateBasisPoints: 20_000 })).toEqual([
			'config.rates.vatRateBasisPoints: must be at most 10000'
		]);
	});
});

describe('describeIssue', () => {
	const issue = (type: string, requirement?: unknown) =>
		({
			kind: 'validation',
			type,
			input: 0,
			expected: null,
			received: '0',
			message: 'valibot says',
			requirement
		}) as Parameters<typeof describeIssue>[0];
	it('words strict bounds and leaves unknown checks to valibot', () => {
		expect(describeIssue(issue('gt_value', 0))).toBe('must be more than 0');
		expect(describeIssue(issue('lt_value', 1))).toBe('must be less than 1');
		expect(describeIssue(issue('email'))).toBe('valibot says');
	});
});
