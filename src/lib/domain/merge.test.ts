import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayWrite } from './may-write.ts';
import {
	branchBase,
	mergeConflict,
	mergeRevisions,
	setAsideEvents,
	compareRevs,
	type MergeOutcome
} from './merge.ts';
import { parseDoc, type TechfileDoc, type TicketDoc } from './schemas.ts';
import {
	canonical,
	registerKeys,
	registerValue,
	sameStamp,
	stampOf,
	touch,
	type MergeableDoc
} from './stamps.ts';
import {
	aClient,
	aMission,
	aTechfile,
	aTicket,
	actor,
	at,
	people,
	qualify,
	ticketThrough
} from './testing/factories.ts';
import { availableActions, transition, type Actor, type TicketAction } from './ticket.ts';

const dina = actor(people.dispatcher());
const eric = actor(people.expert(['network']));
const theo = actor(people.technician());

function rev<T extends MergeableDoc>(doc: T, r: string): T {
	return { ...doc, _rev: r };
}

describe('mergeRevisions, by example', () => {
	it('keeps both sides of edits to different fields, without setting anything aside', () => {
		const base = rev(aTechfile(), '1-a');
		const a = rev(touch(base, { ...base, notes: 'Baie au sous-sol' }, at(10), 'user:theo'), '2-a');
		const b = rev(
			touch(
				base,
				{ ...base, network: { ...base.network, provider: 'Orange' } },
				at(12),
				'user:eric'
			),
			'2-b'
		);
		const out = mergeConflict(a, [b]);
		expect(out.merged).toMatchObject({
			_rev: '2-b',
			notes: 'Baie au sous-sol',
			network: { provider: 'Orange' },
			updatedAt: at(12),
			updatedBy: 'user:eric'
		});
		expect(out.setAside).toEqual([]);
		expect(parseDoc(out.merged).ok).toBe(true);
	});

	it('on the same field the later write wins and the other is set aside, naming its author', () => {
		const base = rev(aTechfile(), '1-a');
		const a = rev(touch(base, { ...base, notes: 'A' }, at(10), 'user:theo'), '2-a');
		const b = rev(touch(base, { ...base, notes: 'B' }, at(12), 'user:eric'), '2-b');
		const out = mergeRevisions([a, b]);
		expect(out.merged.notes).toBe('B');
		expect(out.setAside).toEqual([
			{
				docId: base._id,
				register: 'notes',
				fields: ['notes'],
				value: 'A',
				at: at(10),
				by: 'user:theo',
				rev: '2-a'
			}
		]);
	});

	it('merges lists of entities by id: additions from both sides, edits per entity, removals kept', () => {
		const base = rev(aTechfile(), '1-a');
		const a = rev(
			touch(
				base,
				{
					...base,
					equipment: [...base.equipment, { id: 'e2', kind: 'nas', label: 'NAS' }],
					credentials: []
				},
				at(10),
				'user:theo'
			),
			'2-a'
		);
		const b = rev(
			touch(
				base,
				{
					...base,
					equipment: [
						{ ...base.equipment[0]!, label: 'SRV-01 (rack)' },
						{ id: 'e3', kind: 'ups', label: 'Onduleur' }
					]
				},
				at(12),
				'user:eric'
			),
			'2-b'
		);
		const out = mergeRevisions([a, b], { ancestor: base });
		expect(out.merged.equipment.map((e) => [e.id, e.label])).toEqual([
			['e1', 'SRV-01 (rack)'],
			['e2', 'NAS'],
			['e3', 'Onduleur']
		]);
		expect(out.merged.credentials).toEqual([]);
		expect(out.setAside).toEqual([]);
	});

	it('a removal that loses to a later edit is set aside as a removal', () => {
		const base = rev(aTechfile(), '1-a');
		const a = rev(touch(base, { ...base, credentials: [] }, at(10), 'user:theo'), '2-a');
		const b = rev(
			touch(
				base,
				{ ...base, credentials: [{ ...base.credentials[0]!, secret: 'n3w' }] },
				at(12),
				'user:eric'
			),
			'2-b'
		);
		const out = mergeRevisions([a, b]);
		expect(out.merged.credentials[0]?.secret).toBe('n3w');
		expect(out.setAside).toMatchObject([
			{ register: 'credentials/c1', value: undefined, by: 'user:theo' }
		]);
		const [event] = setAsideEvents(out.merged, out.setAside);
		expect(event).toMatchObject({
			kind: 'merge_set_aside',
			subjectId: base._id,
			author: 'system',
			body: '',
			data: { fields: ['credentials'], value: null }
		});
		expect(event?.ticketId).toBeUndefined();
	});

	it('keeps a ticket consistent: status and closure move together', () => {
		const base = rev(
			ticketThrough([
				[qualify, dina],
				[{ type: 'assign', assignees: ['user:theo'] }, dina]
			]),
			'3-a'
		);
		const closed = transition(
			base,
			{ type: 'close', solution: 'Switch remplacé', reportId: 'report:R1' },
			theo,
			at(100)
		);
		const escalated = transition(base, { type: 'escalate', group: 'security' }, eric, at(90));
		if (!closed.ok || !escalated.ok) throw new Error('setup refused');
		const out = mergeRevisions([rev(closed.value, '4-a'), rev(escalated.value, '4-b')], {
			ancestor: base
		});
		expect(out.merged).toMatchObject({ status: 'closed', level: 2, group: 'security' });
		expect(parseDoc(out.merged).ok).toBe(true);
		expect(out.setAside.map((s) => s.register)).toEqual(['state']);
		const events = setAsideEvents(out.merged, out.setAside);
		expect(events[0]).toMatchObject({
			ticketId: base._id,
			data: {
				fields: [
					'status',
					'pending',
					'resolution',
					'closure',
					'cancellation',
					'assignees',
					'preTicket'
				]
			}
		});
		expect(events.every((e) => parseDoc(e).ok)).toBe(true);
	});

	it('judges a branch whose ancestor is gone on its own edits only (branchBase)', () => {
		// The ticket as planned for Théo; the desk retitles it while he starts and closes it.
		const base = rev(
			ticketThrough([
				[qualify, dina],
				[{ type: 'assign', assignees: ['user:theo'] }, dina],
				[{ type: 'plan', technicianId: 'user:theo' }, dina]
			]),
			'4-a'
		);
		const retitled = rev(
			touch(base, { ...base, title: 'Switch du 2e HS' }, at(50), 'user:dina'),
			'5-d'
		);
		const started = transition(base, { type: 'start' }, theo, at(60));
		if (!started.ok) throw new Error('setup refused');
		const closed = transition(
			started.value,
			{ type: 'close', solution: 'Switch remplacé', reportId: 'report:R1' },
			theo,
			at(70)
		);
		if (!closed.ok) throw new Error('setup refused');
		const work = rev(closed.value, '6-t');
		const technician = { _id: 'user:theo', roles: ['technician' as const], groups: [] };
		const desk = { _id: 'user:dina', roles: ['dispatcher' as const], groups: [] };

		// The server holds the retitle; Théo's branch (title unchanged) arrives after compaction
		// removed the body of 4-a. Against the server's version it would read as a retitle.
		expect(mayWrite(technician, retitled, work).ok).toBe(false);
		const forTheo = branchBase(retitled, work);
		expect(forTheo).toMatchObject({ title: base.title, status: 'planned', _rev: '5-d' });
		expect(mayWrite(technician, forTheo, work)).toEqual({ ok: true, value: true });

		// The other way round: the desk's branch against the closed ticket would reopen it.
		expect(mayWrite(desk, work, retitled).ok).toBe(false);
		const forDina = branchBase(work, retitled);
		expect(forDina).toMatchObject({ title: base.title, status: 'planned' });
		expect(mayWrite(desk, forDina, retitled)).toEqual({ ok: true, value: true });

		// A change the branch would win is still judged against the server's version: Théo's
		// newer title is no register the server changed since, so it is his edit to answer for.
		const renamed = rev(touch(work, { ...work, title: 'Autre titre' }, at(80), 'user:theo'), '7-t');
		expect(branchBase(retitled, renamed).title).toBe('Switch du 2e HS');
		expect(mayWrite(technician, branchBase(retitled, renamed), renamed).ok).toBe(false);
	});

	it('a server-given number survives a concurrent edit on the device', () => {
		const base = rev(aTicket(), '1-a');
		const numbered = rev(touch(base, { ...base, number: 10421 }, at(5), 'system'), '2-a');
		const edited = rev(
			touch(base, { ...base, title: 'Imprimante du 2e hors service' }, at(9), 'user:dina'),
			'2-b'
		);
		const out = mergeRevisions([edited, numbered]);
		expect(out.merged).toMatchObject({ number: 10421, title: 'Imprimante du 2e hors service' });
		expect(out.setAside).toEqual([]);
	});

	it('merges missions and clients too, keeping the winning CouchDB revision', () => {
		const m = rev(aMission(), '1-a');
		const started = rev(touch(m, { ...m, status: 'in_progress' }, at(10), 'user:theo'), '2-b');
		const moved = rev(
			touch(m, { ...m, start: at(2000), end: at(2100) }, at(11), 'user:dina'),
			'2-a'
		);
		const out = mergeRevisions([moved, started]);
		expect(out.merged).toMatchObject({ _rev: '2-b', status: 'in_progress', start: at(2000) });
		const [event] = setAsideEvents(out.merged, [
			{
				docId: m._id,
				register: 'slot',
				fields: ['start', 'end'],
				value: { start: 'x' },
				at: at(1),
				by: 'u',
				rev: '1'
			}
		]);
		expect(event?.ticketId).toBe(m.ticketId);
		const c = rev(aClient(), '1-a');
		const out2 = mergeRevisions([
			rev(touch(c, { ...c, contacts: [] }, at(3), 'user:dina'), '2-a'),
			rev(touch(c, { ...c, commercialStatus: 'suspended' }, at(4), 'user:bea'), '2-b')
		]);
		expect(out2.merged).toMatchObject({ contacts: [], commercialStatus: 'suspended' });
	});

	it('orders revisions as CouchDB does', () => {
		expect(compareRevs('10-a', '9-z')).toBeGreaterThan(0);
		expect(compareRevs('2-b', '2-a')).toBeGreaterThan(0);
		expect(compareRevs(undefined, '1-a')).toBeLessThan(0);
	});
});

// ---- Property-based: revisions made by real edits from a common ancestor ----

type TechEdit = (doc: TechfileDoc) => TechfileDoc;
const ids = fc.constantFrom('e1', 'e2', 'e3');
const words = fc.constantFrom('A', 'B', 'C', 'D');
const techEdit: fc.Arbitrary<TechEdit> = fc.oneof(
	words.map((w) => (d: TechfileDoc) => ({ ...d, notes: w })),
	fc.tuple(ids, words).map(([id, w]) => (d: TechfileDoc) => ({
		...d,
		equipment: [...d.equipment.filter((e) => e.id !== id), { id, kind: 'pc', label: w }]
	})),
	ids.map((id) => (d: TechfileDoc) => ({
		...d,
		equipment: d.equipment.filter((e) => e.id !== id)
	})),
	words.map((w) => (d: TechfileDoc) => ({ ...d, network: { ...d.network, provider: w } })),
	fc.constant((d: TechfileDoc) => ({ ...d, credentials: [] }))
);
const author = fc.constantFrom('user:theo', 'user:eric', 'user:dina');

/** A branch: edits applied through touch at increasing times, as devices do. */
const techBranch = (base: TechfileDoc, name: string) =>
	fc
		.tuple(
			fc.array(fc.tuple(techEdit, author, fc.integer({ min: 1, max: 30 })), {
				minLength: 1,
				maxLength: 4
			}),
			fc.integer({ min: 0, max: 5 })
		)
		.map(([edits, skew]) => {
			let doc = base;
			let clock = 10 + skew;
			for (const [edit, who, step] of edits) {
				clock += step;
				doc = touch(doc, edit(doc), at(clock), who);
			}
			return { ...doc, _rev: `${1 + edits.length}-${name}` };
		});

const techBase = rev(aTechfile(), '1-base');
const techRevs = fc.tuple(
	techBranch(techBase, 'a'),
	techBranch(techBase, 'b'),
	techBranch(techBase, 'c')
);

const ticketActors: Actor[] = [dina, eric, theo, { kind: 'system' }];
const ticketActions: TicketAction[] = [
	{ type: 'assign', assignees: ['user:theo'] },
	{ type: 'plan', technicianId: 'user:theo' },
	{ type: 'start' },
	{ type: 'wait', reason: 'third_party' },
	{ type: 'resume' },
	{ type: 'resolve', solution: 'fait' },
	{ type: 'close', solution: 'fait' },
	{ type: 'reopen' },
	{ type: 'escalate', group: 'security' },
	{ type: 'escalate' },
	{ type: 'route', group: 'desktop' },
	{ type: 'link', link: { kind: 'related', ticketId: 'ticket:K2' } },
	{ type: 'unlink', link: { kind: 'related', ticketId: 'ticket:K2' } },
	{ type: 'cancel', reason: 'doublon', duplicateOf: 'ticket:K3' }
];
const ticketBase = rev(ticketThrough([[qualify, dina]]), '2-base');
const ticketBranch = (name: string) =>
	fc
		.array(
			fc.tuple(
				fc.nat(ticketActions.length - 1),
				fc.nat(ticketActors.length - 1),
				fc.integer({ min: 1, max: 30 })
			),
			{ minLength: 1, maxLength: 6 }
		)
		.map((steps) => {
			let doc: TicketDoc = ticketBase;
			let clock = 100;
			steps.forEach(([a, who, step], i) => {
				clock += step;
				const action = ticketActions[a]!;
				const by = ticketActors[who]!;
				const result = transition(doc, action, by, at(clock), { taxonomy: [] });
				if (result.ok) doc = result.value;
				else if (i % 2 === 0)
					doc = touch(doc, { ...doc, title: `titre ${name}${i}` }, at(clock), 'user:dina');
			});
			return { ...doc, _rev: `${3 + steps.length}-${name}` };
		});
const ticketRevs = fc.tuple(ticketBranch('a'), ticketBranch('b'), ticketBranch('c'));

function same<T>(x: MergeOutcome<T>, y: MergeOutcome<T>): void {
	expect(canonical(x.merged)).toBe(canonical(y.merged));
	expect(JSON.stringify(x.merged)).toBe(JSON.stringify(y.merged)); // byte-equal bodies, key order included
}

/** Every value of every input is merged, set aside, or was knowingly replaced by another input. */
function losesNothing<T extends MergeableDoc>(inputs: readonly T[], out: MergeOutcome<T>): void {
	for (const input of inputs) {
		for (const key of registerKeys(input)) {
			const stamp = stampOf(input, key);
			const canon = canonical(registerValue(input, key));
			if (stamp === null || canon === canonical(registerValue(out.merged, key))) continue;
			const setAside = out.setAside.some(
				(s) =>
					s.register === key &&
					canonical(s.value) === canon &&
					s.at === stamp.at &&
					s.by === stamp.by
			);
			const replaced = inputs.some((other) => sameStamp(stampOf(other, key)?.prev, stamp));
			expect(setAside || replaced, `${key} = ${canon} from ${input._rev ?? ''} vanished`).toBe(
				true
			);
		}
	}
}

function laws<T extends MergeableDoc>(name: string, revs: fc.Arbitrary<[T, T, T]>) {
	describe(`merge laws (${name})`, () => {
		it('is commutative', () => {
			fc.assert(
				fc.property(revs, ([a, b, c]) => {
					same(mergeRevisions([a, b, c]), mergeRevisions([c, a, b]));
					same(mergeRevisions([a, b]), mergeRevisions([b, a]));
					expect(mergeRevisions([a, b, c]).setAside).toEqual(mergeRevisions([b, c, a]).setAside);
				})
			);
		});

		it('is associative', () => {
			fc.assert(
				fc.property(revs, ([a, b, c]) => {
					const left = mergeRevisions([mergeRevisions([a, b]).merged, c]);
					const right = mergeRevisions([a, mergeRevisions([b, c]).merged]);
					same(left, right);
					same(left, mergeRevisions([a, b, c]));
				})
			);
		});

		it('is idempotent', () => {
			fc.assert(
				fc.property(revs, ([a, b]) => {
					const once = mergeRevisions([a, b]);
					same(mergeRevisions([once.merged, once.merged]), { merged: once.merged, setAside: [] });
					same(mergeRevisions([once.merged, a]), once);
					same(mergeRevisions([a, a]), mergeRevisions([a]));
					expect(mergeRevisions([once.merged]).setAside).toEqual([]);
				})
			);
		});

		it('loses nothing, and gives a valid document', () => {
			fc.assert(
				fc.property(revs, ([a, b, c]) => {
					const out = mergeRevisions([a, b, c]);
					losesNothing([a, b, c], out);
					const stepwise = mergeRevisions([mergeRevisions([a, b]).merged, c]);
					losesNothing([a, b], mergeRevisions([a, b]));
					losesNothing([mergeRevisions([a, b]).merged, c], stepwise);
					const parsed = parseDoc(out.merged);
					expect(parsed.ok ? 'valid' : parsed.error).toBe('valid');
					expect(setAsideEvents(out.merged, out.setAside).every((e) => parseDoc(e).ok)).toBe(true);
				})
			);
		});

		it('with the ancestor, only sets aside values that were edits', () => {
			fc.assert(
				fc.property(revs, ([a, b]) => {
					const base = name === 'ticket' ? ticketBase : techBase;
					const out = mergeRevisions([a, b], { ancestor: base as unknown as T });
					for (const s of out.setAside) {
						const ancestor = stampOf(base, s.register);
						expect(
							ancestor !== null &&
								sameStamp(ancestor, { at: s.at, by: s.by }) &&
								canonical(registerValue(base, s.register)) === canonical(s.value)
						).toBe(false);
					}
				})
			);
		});
	});
}

laws('techfile', techRevs);
laws('ticket', ticketRevs);

it('the ticket branches really diverge (the generator is not idle)', () => {
	const samples = fc.sample(ticketRevs, 50);
	expect(samples.some(([a, b]) => a.status !== b.status)).toBe(true);
	expect(samples.some(([a]) => availableActions(a, dina).some((x) => x.allowed))).toBe(true);
	expect(samples.some(([a, b]) => mergeRevisions([a, b]).setAside.length > 0)).toBe(true);
});
