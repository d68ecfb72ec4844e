import { describe, expect, it } from 'vitest';
import { isOpen } from '../../src/lib/domain/business-hours.ts';
import { closedAtOf, closureBilling } from '../../src/lib/domain/closure-billing.ts';
import { hourBankBalance } from '../../src/lib/domain/hour-bank.ts';
import { priorityOf } from '../../src/lib/domain/priority.ts';
import { verifyReport } from '../../src/lib/domain/report-hash.ts';
import {
	TICKET_STATUSES,
	parseAs,
	parseDoc,
	type BillingDoc,
	type CalendarDoc,
	type ClientDoc,
	type Doc,
	type DocOf,
	type MissionDoc,
	type ReportDoc,
	type TicketDoc
} from '../../src/lib/domain/schemas.ts';
import type { DocType } from '../../src/lib/domain/ids.ts';
import { EXPERT_GROUP, SKILLS } from './catalogue.ts';
import { CATEGORIES } from './categories.ts';
import { DEMO_PASSWORD, DEMO_SIGN_INS, generateDemo, type DemoData } from './generate.ts';
import { localDay } from './time.ts';

// A Tuesday mid-morning: some of today's missions are done, some under way, some to come.
const NOW = new Date('2026-03-17T10:40:00+01:00');
// A Sunday night, when nothing is open: the demo must still fill today's screens.
const SUNDAY_NIGHT = new Date('2026-03-22T22:30:00+01:00');

const cache = new Map<string, DemoData>();
function demo(seed = 1, scale = 1, now = NOW): DemoData {
	const key = `${seed}/${scale}/${now.toISOString()}`;
	let data = cache.get(key);
	if (data === undefined) {
		data = generateDemo({ seed, scale, now });
		cache.set(key, data);
	}
	return data;
}

function ofType<T extends DocType>(data: DemoData, type: T): DocOf<T>[] {
	return data.docs.filter((d): d is DocOf<T> & Doc => d.type === type) as DocOf<T>[];
}

const ms = (iso: string): number => Date.parse(iso);

function missionsToday(data: DemoData, now: Date): Map<string, MissionDoc[]> {
	const today = localDay(now.getTime());
	const byTech = new Map<string, MissionDoc[]>();
	for (const m of ofType(data, 'mission')) {
		if (m.status === 'cancelled' || localDay(ms(m.start)) !== today) continue;
		byTech.set(m.technicianId, [...(byTech.get(m.technicianId) ?? []), m]);
	}
	return byTech;
}

function imagesOf(report: ReportDoc): Record<string, Uint8Array> {
	const out: Record<string, Uint8Array> = {};
	for (const [name, att] of Object.entries(report._attachments ?? {})) {
		// The hash binds the signature images by digest; photos are bound by name and type.
		if (typeof att.data === 'string' && name.startsWith('signature-'))
			out[name] = new Uint8Array(Buffer.from(att.data, 'base64'));
	}
	return out;
}

describe('generateDemo', () => {
	it('is deterministic: same seed, same documents; another seed, other documents', () => {
		const a = generateDemo({ seed: 7, scale: 1, now: NOW });
		const b = generateDemo({ seed: 7, scale: 1, now: NOW });
		expect(JSON.stringify(b)).toBe(JSON.stringify(a));
		const c = demo(8);
		expect(JSON.stringify(c.docs)).not.toBe(JSON.stringify(a.docs));
		const ids = new Set(a.docs.map((d) => d._id));
		expect(c.docs.filter((d) => d.type === 'ticket' && ids.has(d._id))).toEqual([]);
	}, 30_000); // three whole demos, each report with its photo

	it('produces only documents that pass parseDoc, with unique ids and their access', () => {
		const { docs } = demo();
		const problems = docs.flatMap((d) => {
			const r = parseDoc(d);
			return r.ok ? [] : [`${d._id}: ${r.error.join('; ')}`];
		});
		expect(problems).toEqual([]);
		expect(new Set(docs.map((d) => d._id)).size).toBe(docs.length);
		for (const d of docs) expect(d.access, d._id).toContain('role:admin');
	});

	it('also validates when built on a Sunday night', () => {
		const { docs } = demo(3, 1, SUNDAY_NIGHT);
		expect(docs.filter((d) => !parseDoc(d).ok).map((d) => d._id)).toEqual([]);
	});

	it('has the staff of the brief, with the fixed demo sign-ins', () => {
		const { users, docs } = demo();
		const withRole = (role: string) => users.filter((u) => u.roles.includes(role as never));
		expect(withRole('dispatcher')).toHaveLength(3);
		expect(withRole('expert')).toHaveLength(3);
		expect(withRole('expert').every((u) => u.groups.includes(EXPERT_GROUP))).toBe(true);
		expect(withRole('technician')).toHaveLength(10);
		expect(withRole('billing')).toHaveLength(1);
		expect(withRole('admin')).toHaveLength(1);
		const techs = ofType({ users, docs }, 'user').filter((u) => u.roles.includes('technician'));
		expect(techs.every((t) => t.skills.length >= 2 && t.base?.lat !== undefined)).toBe(true);
		for (const skill of SKILLS)
			expect(techs.filter((t) => t.skills.includes(skill)).length, skill).toBeGreaterThanOrEqual(2);
		for (const s of DEMO_SIGN_INS) {
			const user = users.find((u) => u.name === s.login);
			expect(user?.roles, s.login).toContain(s.role);
			expect(user?.password).toBe(DEMO_PASSWORD);
			expect(docs.some((d) => d._id === `user:${s.login}`)).toBe(true);
		}
		expect(docs.some((d) => 'password' in d)).toBe(false);
	});

	it('has 40 clients with sites, contacts, every kind of contract and a technical file each', () => {
		const data = demo();
		const clients = ofType(data, 'client');
		expect(clients).toHaveLength(40);
		for (const c of clients) {
			expect(c.sites.length).toBeGreaterThanOrEqual(1);
			expect(c.sites.length).toBeLessThanOrEqual(3);
			expect(c.contacts.length).toBeGreaterThanOrEqual(1);
			expect(c.contacts.length).toBeLessThanOrEqual(4);
		}
		const kinds = new Set(clients.map((c) => c.contract.kind));
		expect([...kinds].sort()).toEqual(['maintenance', 'managed', 'none']);
		const today = NOW.toISOString().slice(0, 10);
		expect(clients.some((c) => c.contract.end !== undefined && c.contract.end < today)).toBe(true);
		const techfiles = ofType(data, 'techfile');
		expect(techfiles.map((t) => t.clientId).sort()).toEqual(clients.map((c) => c._id).sort());
		for (const t of techfiles) {
			expect(new Set(t.equipment.map((e) => e.kind))).toContain('firewall');
			expect(t.network.ranges.length).toBeGreaterThan(0);
			expect(t.software.length).toBeGreaterThan(0);
			expect(t.credentials.every((c) => c.confidential)).toBe(true);
		}
	});

	it('has about 300 tickets in every status, classified and prioritised by the domain rules', () => {
		const tickets = ofType(demo(), 'ticket');
		expect(tickets).toHaveLength(300);
		expect(new Set(tickets.map((t) => t.status))).toEqual(new Set(TICKET_STATUSES));
		expect(tickets.some((t) => t.preTicket && t.source === 'form')).toBe(true);
		expect(new Set(tickets.map((t) => t.category).filter(Boolean))).toEqual(
			new Set(CATEGORIES.map((c) => c.id))
		);
		for (const t of tickets) expect(t.priority, t._id).toBe(priorityOf(t.impact, t.urgency));
		const numbers = tickets.map((t) => t.number);
		expect(new Set(numbers).size).toBe(300);
		const oldest = Math.min(...tickets.map((t) => ms(t.createdAt)));
		expect(NOW.getTime() - oldest).toBeLessThanOrEqual(91 * 86_400_000);
	});

	it('writes every timeline event about a known document, in the past', () => {
		const data = demo();
		const ids = new Set(data.docs.map((d) => d._id));
		const events = ofType(data, 'event');
		expect(events.length).toBeGreaterThan(300 * 4);
		for (const e of events) {
			expect(ids.has(e.subjectId), e._id).toBe(true);
			expect(ms(e.at)).toBeLessThanOrEqual(NOW.getTime());
		}
		const tickets = new Map(ofType(data, 'ticket').map((t) => [t._id, t]));
		for (const t of tickets.values())
			expect(ms(t.updatedAt), t._id).toBeLessThanOrEqual(NOW.getTime());
		for (const m of ofType(data, 'mission')) {
			expect(ms(m.createdAt), m._id).toBeGreaterThan(ms(tickets.get(m.ticketId)?.createdAt ?? ''));
			expect(ms(m.updatedAt), m._id).toBeLessThanOrEqual(NOW.getTime());
		}
		for (const r of ofType(data, 'report'))
			expect(ms(r.signedAt ?? ''), r._id).toBeLessThanOrEqual(NOW.getTime());
		const kinds = new Set(events.map((e) => e.kind));
		for (const kind of [
			'status_change',
			'assignment',
			'call',
			'notice_sent',
			'mission_planned',
			'report_signed',
			'follow_up'
		]) {
			expect(kinds, kind).toContain(kind);
		}
	});

	for (const [label, now] of [
		['a Tuesday morning', NOW],
		['a Sunday night', SUNDAY_NIGHT]
	] as const) {
		it(`gives every technician at least two missions today and some to come (${label})`, () => {
			const data = demo(label === 'a Sunday night' ? 3 : 1, 1, now);
			const today = missionsToday(data, now);
			const techs = data.users.filter((u) => u.roles.includes('technician'));
			for (const t of techs) expect(today.get(t.id)?.length ?? 0, t.name).toBeGreaterThanOrEqual(2);
			const upcoming = ofType(data, 'mission').filter(
				(m) => m.status === 'planned' && ms(m.start) > now.getTime()
			);
			expect(new Set(upcoming.map((m) => m.technicianId)).size).toBe(techs.length);
			expect(new Set(ofType(data, 'ticket').map((t) => t.status))).toEqual(
				new Set(TICKET_STATUSES)
			);
		});
	}

	it('plans missions in business hours, by a technician with the skill, never double-booked or on a day off', () => {
		const data = demo();
		const missions = ofType(data, 'mission');
		const tickets = new Map(ofType(data, 'ticket').map((t) => [t._id, t]));
		const users = new Map(data.users.map((u) => [u.id, u]));
		const offDays = new Map<string, CalendarDoc[]>();
		for (const c of ofType(data, 'calendar')) {
			if (c.kind !== 'on_call')
				offDays.set(c.technicianId, [...(offDays.get(c.technicianId) ?? []), c]);
		}
		const booked = new Map<string, MissionDoc[]>();
		for (const m of missions) {
			expect(isOpen(m.start), m._id).toBe(true);
			expect(isOpen(ms(m.end) - 1), m._id).toBe(true);
			const category = CATEGORIES.find((c) => c.id === tickets.get(m.ticketId)?.category);
			expect(users.get(m.technicianId)?.skills, m._id).toContain(category?.skill);
			if (m.status === 'cancelled') continue;
			for (const other of booked.get(m.technicianId) ?? []) {
				expect(
					ms(m.start) >= ms(other.end) || ms(m.end) <= ms(other.start),
					`${m._id} overlaps ${other._id}`
				).toBe(true);
			}
			booked.set(m.technicianId, [...(booked.get(m.technicianId) ?? []), m]);
			for (const off of offDays.get(m.technicianId) ?? []) {
				expect(
					ms(m.start) >= ms(off.end) || ms(m.end) <= ms(off.start),
					`${m._id} during ${off._id}`
				).toBe(true);
			}
		}
		const kinds = new Set(ofType(data, 'calendar').map((c) => c.kind));
		expect([...kinds].sort()).toEqual(['absence', 'on_call', 'training']);
	});

	it('seals a verifiable signed report for every closed ticket whose mission took place', async () => {
		const data = demo();
		const reports = ofType(data, 'report');
		const closed = ofType(data, 'ticket').filter((t) => t.status === 'closed');
		const done = ofType(data, 'mission').filter((m) => m.status === 'done');
		const closedWithVisit = closed.filter((t) => done.some((m) => m.ticketId === t._id));
		expect(closedWithVisit.length).toBeGreaterThan(20);
		for (const t of closedWithVisit)
			expect(
				reports.some((r) => r.ticketId === t._id && r.hash !== undefined),
				t._id
			).toBe(true);
		expect(reports.length).toBe(done.length);
		for (const report of reports.slice(0, 25)) {
			expect(await verifyReport(report, imagesOf(report)), report._id).toEqual({ ok: true });
		}
		const [first] = reports;
		if (first === undefined) throw new Error('no report');
		const tampered: ReportDoc = { ...first, remarks: 'modifié après signature' };
		expect((await verifyReport(tampered, imagesOf(tampered))).ok).toBe(false);
	});

	it('bills closed interventions by contract and keeps hour banks consistent', () => {
		const data = demo();
		const billing = ofType(data, 'billing');
		const reports = new Map(ofType(data, 'report').map((r) => [r._id, r]));
		const tickets = new Map<string, TicketDoc>(ofType(data, 'ticket').map((t) => [t._id, t]));
		expect(new Set(billing.map((b) => b.kind))).toEqual(
			new Set(['billable', 'included', 'hour_bank'])
		);
		for (const b of billing) {
			expect(reports.has(b.reportId)).toBe(true);
			expect(tickets.get(b.ticketId)?.status).toBe('closed');
		}
		const clients = ofType(data, 'client').filter(
			(c): c is ClientDoc => c.contract.kind === 'managed'
		);
		// The balance is the movements': the last item's "after" is what they leave.
		const moves = ofType(data, 'hourbank');
		const lastItem = new Map<string, BillingDoc>();
		for (const b of billing) if (b.kind === 'hour_bank') lastItem.set(b.clientId, b);
		for (const c of clients) {
			const item = lastItem.get(c._id);
			if (item === undefined || item.kind !== 'hour_bank') continue;
			expect(hourBankBalance(c, moves)?.balanceMinutes, c.name).toBe(item.balanceAfterMinutes);
		}
		const nearlyEmpty = clients.filter(
			(c) => (hourBankBalance(c, moves)?.balanceMinutes ?? 0) < (c.contract.hourBank ?? 0) * 6
		);
		// The billing job, run over the demo, finds every closure billed: it writes nothing.
		const rates = parseAs(
			'config',
			data.docs.find((d) => d._id === 'config:billing_rates')
		);
		if (!rates.ok || rates.value.kind !== 'billing_rates') throw new Error('no rates');
		const allReports = [...reports.values()];
		for (const ticket of tickets.values()) {
			const closedAt = closedAtOf(ticket);
			if (closedAt === null) continue;
			const again = closureBilling({
				ticket,
				closedAt,
				reports: allReports.filter((r) => r.ticketId === ticket._id),
				client: ofType(data, 'client').find((c) => c._id === ticket.clientId) ?? null,
				rates: rates.value.rates,
				billed: billing.filter((b) => b.ticketId === ticket._id),
				movements: moves.filter((m) => m.clientId === ticket.clientId),
				now: NOW
			});
			const known = new Set([...billing, ...moves].map((d) => d._id));
			expect([...again.items, ...again.moves].filter((d) => !known.has(d._id))).toEqual([]);
		}
		expect(nearlyEmpty.length).toBeGreaterThan(0);
	});

	it('scales clients, tickets and staff by the size factor', { timeout: 60_000 }, () => {
		const data = demo(1, 10);
		expect(ofType(data, 'client')).toHaveLength(400);
		expect(ofType(data, 'ticket')).toHaveLength(3000);
		expect(data.users.filter((u) => u.roles.includes('technician'))).toHaveLength(100);
		expect(new Set(data.users.map((u) => u.name)).size).toBe(data.users.length);
		const today = missionsToday(data, NOW);
		expect(today.size).toBe(100);
		expect(data.docs.filter((d) => !parseDoc(d).ok).map((d) => d._id)).toEqual([]);
	});

	it('refuses a scale that is not a whole number ≥ 1', () => {
		expect(() => generateDemo({ scale: 0, now: NOW })).toThrow(RangeError);
		expect(() => generateDemo({ scale: 1.5, now: NOW })).toThrow(RangeError);
	});
});
