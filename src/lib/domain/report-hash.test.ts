import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import {
	canonicalReport,
	hashReport,
	isFullySigned,
	isLocked,
	reportChangeAllowed,
	shortHash,
	signatureAttachmentName,
	verifyReport
} from './report-hash.ts';
import type { HashableReport } from './report-hash.ts';

const sha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

const techImg = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
const clientImg = new Uint8Array([137, 80, 78, 71, 9, 8, 7, 6]);
const images = {
	[signatureAttachmentName('technician')]: techImg,
	[signatureAttachmentName('client')]: clientImg
};

const unsigned: HashableReport = {
	_id: 'report:01J8ZQ',
	type: 'report',
	mission: 'mission:01J8ZP',
	times: [{ start: '2025-06-16T08:00:00.000Z', end: '2025-06-16T09:10:00.000Z' }],
	tasks: ['Replaced PSU', 'Checked UPS'],
	parts: [{ label: 'PSU 500 W', qty: 1, unitPriceCents: 6900 }],
	outcome: 'solved'
};
const signatures = {
	technician: { name: 'Léa Martin', at: '2025-06-16T09:12:00.000Z' },
	client: { name: 'Paul Durand', at: '2025-06-16T09:13:00.000Z' }
};

async function sealed(): Promise<HashableReport> {
	const r: HashableReport = { ...unsigned, signatures };
	return { ...r, hash: await hashReport(r, images) };
}

describe('canonicalReport', () => {
	it('sorts keys, drops whitespace, keeps arrays in order', () => {
		expect(canonicalReport({ b: 1, a: [3, 1, { d: true, c: null }], _id: 'x' })).toBe(
			'{"_id":"x","a":[3,1,{"c":null,"d":true}],"b":1}'
		);
	});

	it('sorts integer-like keys as strings too', () => {
		expect(canonicalReport({ '10': 'a', '9': 'b', x: 'c' })).toBe('{"10":"a","9":"b","x":"c"}');
	});

	it('leaves out bookkeeping, the hash and the reader list', () => {
		const r = {
			_id: 'report:1',
			_rev: '3-abc',
			_conflicts: ['2-x'],
			_revisions: { start: 3, ids: [] },
			hash: 'ff',
			access: ['user:lea'],
			note: 'ok'
		};
		expect(canonicalReport(r)).toBe('{"_id":"report:1","note":"ok"}');
	});

	it('keeps attachment names and types, not their bodies or revision metadata', () => {
		const stub = {
			'signature-client.png': {
				content_type: 'image/png',
				digest: 'md5-a',
				revpos: 2,
				stub: true,
				length: 10
			}
		};
		const full = {
			'signature-client.png': {
				content_type: 'image/png',
				data: 'iVBORw0…',
				digest: 'md5-a',
				revpos: 5
			}
		};
		expect(canonicalReport({ _attachments: stub })).toBe(canonicalReport({ _attachments: full }));
		expect(canonicalReport({ _attachments: stub })).toBe(
			'{"_attachments":{"signature-client.png":{"content_type":"image/png"}}}'
		);
		expect(canonicalReport({ _attachments: { x: null } })).toBe('{"_attachments":{"x":{}}}');
		expect(canonicalReport({ _attachments: null })).toBe('{"_attachments":null}');
	});

	it('follows JSON for odd values', () => {
		expect(
			canonicalReport({
				a: undefined,
				b: [undefined, Number.NaN, Infinity],
				c: new Date(0),
				s: 'é"\n'
			})
		).toBe('{"b":[null,null,null],"c":"1970-01-01T00:00:00.000Z","s":"é\\"\\n"}');
		expect(canonicalReport({ f: () => 1, sym: Symbol('x') })).toBe('{}');
		expect(() => canonicalReport({ n: 10n })).toThrow(/bigint/);
	});
});

describe('hashReport / verifyReport', () => {
	it('is SHA-256 of the documented preimage', async () => {
		const r: HashableReport = { ...unsigned, signatures };
		const preimage =
			canonicalReport(r) +
			`\nsignature-client.png\n${sha(clientImg)}` +
			`\nsignature-technician.png\n${sha(techImg)}`;
		const hash = await hashReport(r, images);
		expect(hash).toBe(sha(preimage));
		expect(hash).toMatch(/^[0-9a-f]{64}$/);
		expect(await hashReport(r, {})).toBe(sha(canonicalReport(r)));
	});

	it('verifies a sealed report and detects tampering', async () => {
		const r = await sealed();
		expect(await verifyReport(r, images)).toEqual({ ok: true });
		expect(await verifyReport({ ...r, hash: r.hash?.toUpperCase() }, images)).toEqual({ ok: true });
		// Replication bookkeeping does not break the seal.
		expect(await verifyReport({ ...r, _rev: '9-z', access: ['role:billing'] }, images)).toEqual({
			ok: true
		});
		const changed = await verifyReport({ ...r, outcome: 'not_solved' }, images);
		expect(changed).toMatchObject({ ok: false, reason: 'mismatch' });
		const otherImage = await verifyReport(r, {
			...images,
			'signature-client.png': new Uint8Array([1])
		});
		expect(otherImage).toMatchObject({ ok: false, reason: 'mismatch' });
	});

	it('explains why a report cannot be verified', async () => {
		expect(await verifyReport(unsigned, images)).toMatchObject({ ok: false, reason: 'no_hash' });
		const r = await sealed();
		expect(await verifyReport(r, { 'signature-technician.png': techImg })).toMatchObject({
			ok: false,
			reason: 'missing_signature_image',
			message: expect.stringMatching(/client signature image/)
		});
	});

	it('runs on plain WebCrypto (no node:crypto in the module)', async () => {
		expect(typeof globalThis.crypto.subtle.digest).toBe('function');
		const shared = new Uint8Array(new SharedArrayBuffer(3));
		shared.set([1, 2, 3]);
		expect(await hashReport({}, { a: shared })).toBe(
			await hashReport({}, { a: new Uint8Array([1, 2, 3]) })
		);
	});
});

describe('shortHash', () => {
	it('shows groups of four hex digits', () => {
		const h = sha('x');
		expect(shortHash(h)).toBe(`${h.slice(0, 4)} ${h.slice(4, 8)}`);
		expect(shortHash(h, 4)).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);
		expect(shortHash('AB-CD')).toBe('abcd');
		expect(shortHash('')).toBe('');
	});
});

describe('locking', () => {
	it('a report is locked only with both signatures and its hash', async () => {
		expect(isLocked(unsigned)).toBe(false);
		expect(isLocked({ ...unsigned, signatures: { technician: signatures.technician } })).toBe(
			false
		);
		expect(isFullySigned({ ...unsigned, signatures })).toBe(true);
		expect(isLocked({ ...unsigned, signatures })).toBe(false);
		expect(
			isLocked({ ...unsigned, signatures: { technician: null, client: false }, hash: 'ab' })
		).toBe(false);
		expect(isLocked(await sealed())).toBe(true);
	});

	it('drafts change freely, creation is allowed', () => {
		expect(reportChangeAllowed(unsigned, { ...unsigned, outcome: 'not_solved' })).toEqual({
			ok: true
		});
		expect(reportChangeAllowed(undefined, unsigned)).toEqual({ ok: true });
		expect(
			reportChangeAllowed(null, { ...unsigned, signatures: { technician: signatures.technician } })
		).toEqual({ ok: true });
	});

	it('signing must carry the hash in the same write', async () => {
		expect(reportChangeAllowed(unsigned, { ...unsigned, signatures })).toMatchObject({
			ok: false,
			reason: 'signed_without_hash'
		});
		expect(reportChangeAllowed(unsigned, await sealed())).toEqual({ ok: true });
	});

	it('a locked report refuses every change but bookkeeping and readers', async () => {
		const r = await sealed();
		const withMeta = { ...r, _rev: '2-b', access: ['user:lea', 'role:billing'], _attachments: {} };
		expect(reportChangeAllowed({ ...r, _attachments: {} }, withMeta)).toEqual({ ok: true });
		expect(
			reportChangeAllowed(
				{
					...r,
					_attachments: {
						'signature-client.png': { content_type: 'image/png', revpos: 2, stub: true }
					}
				},
				{
					...r,
					_attachments: {
						'signature-client.png': { content_type: 'image/png', revpos: 3, data: 'AAA' }
					}
				}
			)
		).toEqual({ ok: true });
		expect(reportChangeAllowed(r, { ...r, outcome: 'x', tasks: [] })).toMatchObject({
			ok: false,
			reason: 'signed_report_immutable',
			fields: ['outcome', 'tasks'],
			message: expect.stringMatching(/can no longer be changed \(outcome, tasks\)/)
		});
		expect(reportChangeAllowed(r, { ...r, hash: 'ff' })).toMatchObject({ fields: ['hash'] });
		expect(reportChangeAllowed(r, { ...r, _deleted: true })).toMatchObject({
			fields: ['_deleted']
		});
		expect(
			reportChangeAllowed(r, {
				...r,
				_attachments: { 'photo-1.jpg': { content_type: 'image/jpeg' } }
			})
		).toMatchObject({ fields: ['_attachments'] });
	});
});

// ---- properties ----------------------------------------------------------------------

/** Rebuilds every object with its keys in a random order. */
function shuffleKeys(value: unknown, rnd: () => number): unknown {
	if (Array.isArray(value)) return value.map((x) => shuffleKeys(x, rnd));
	if (value !== null && typeof value === 'object') {
		const entries = Object.entries(value);
		for (let i = entries.length - 1; i > 0; i--) {
			const j = Math.floor(rnd() * (i + 1));
			[entries[i], entries[j]] = [entries[j] as [string, unknown], entries[i] as [string, unknown]];
		}
		return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, rnd)]));
	}
	return value;
}

const reportArb = fc.dictionary(
	fc
		.string({ minLength: 1, maxLength: 8 })
		.filter(
			(k) =>
				![
					'_rev',
					'hash',
					'access',
					'_conflicts',
					'_revisions',
					'_attachments',
					'_deleted_conflicts',
					'_local_seq',
					'__proto__'
				].includes(k)
		),
	fc.jsonValue({ maxDepth: 3 }),
	{ minKeys: 1, maxKeys: 8 }
);

describe('properties', () => {
	it('the hash is stable under key reordering', async () => {
		await fc.assert(
			fc.asyncProperty(reportArb, fc.integer(), async (r, seed) => {
				let s = seed >>> 0 || 1;
				const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) % 1_000_000) / 1_000_000;
				const shuffled = shuffleKeys(r, rnd) as HashableReport;
				expect(canonicalReport(shuffled)).toBe(canonicalReport(r));
				expect(await hashReport(shuffled, images)).toBe(await hashReport(r, images));
			}),
			{ numRuns: 100 }
		);
	});

	it('the canonical form is valid JSON with the same content', () => {
		fc.assert(
			fc.property(reportArb, (r) => {
				expect(JSON.parse(canonicalReport(r))).toEqual(JSON.parse(JSON.stringify(r)));
			})
		);
	});

	it('changing any field changes the hash', async () => {
		await fc.assert(
			fc.asyncProperty(
				reportArb,
				fc.nat(),
				fc.jsonValue({ maxDepth: 2 }),
				async (r, pick, value) => {
					const keys = Object.keys(r);
					const key = keys[pick % keys.length] as string;
					fc.pre(JSON.stringify(r[key]) !== JSON.stringify(value));
					const changed = { ...r, [key]: value };
					expect(await hashReport(changed, images)).not.toBe(await hashReport(r, images));
				}
			),
			{ numRuns: 100 }
		);
	});

	it('changing any byte of a signature image changes the hash', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.uint8Array({ minLength: 1, maxLength: 64 }),
				fc.nat(),
				async (img, pick) => {
					const i = pick % img.length;
					const other = new Uint8Array(img);
					other[i] = ((other[i] as number) + 1) % 256;
					expect(await hashReport(unsigned, { 'signature-client.png': other })).not.toBe(
						await hashReport(unsigned, { 'signature-client.png': img })
					);
				}
			),
			{ numRuns: 100 }
		);
	});
});
