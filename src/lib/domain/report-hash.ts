// Tamper evidence for intervention reports. Once the technician and the client have
// signed on the device, the report's content and both signature images are sealed by
// a SHA-256 hash that anyone can recompute (browser, server, or by hand from the
// documented preimage below), and the report may no longer change.

/** Structural view of a report: the schema itself belongs to schemas.ts. */
export interface HashableReport {
	signatures?: { technician?: unknown; client?: unknown } | undefined;
	hash?: string | undefined;
	[key: string]: unknown;
}

/** Top-level fields outside the seal: CouchDB bookkeeping that changes on every
 * replication, the hash itself, and the server-maintained reader list. */
export const EXCLUDED_FIELDS: ReadonlySet<string> = new Set([
	'_rev',
	'_conflicts',
	'_revisions',
	'_deleted_conflicts',
	'_local_seq',
	'hash',
	'access'
]);

/** Serialises a JSON value with keys sorted by UTF-16 code units (as RFC 8785), no
 * whitespace, arrays in order. Written by hand because JS objects always list
 * integer-like keys first, so re-inserting sorted keys is not enough. */
function canonicalJson(value: unknown, inArray: boolean): string | undefined {
	if (value === null) return 'null';
	if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
		return canonicalJson((value as { toJSON: () => unknown }).toJSON(), inArray);
	}
	switch (typeof value) {
		case 'string':
		case 'boolean':
			return JSON.stringify(value);
		case 'number':
			// JSON writes NaN and ±Infinity as null; numbers are otherwise printed by the
			// ECMAScript shortest round-trip rule, the same on every engine.
			return Number.isFinite(value) ? JSON.stringify(value) : 'null';
		case 'bigint':
			throw new TypeError('A report cannot contain a bigint: it has no JSON form');
		case 'object': {
			if (Array.isArray(value)) {
				return `[${value.map((item) => canonicalJson(item, true) ?? 'null').join(',')}]`;
			}
			const record = value as Record<string, unknown>;
			const parts: string[] = [];
			for (const key of Object.keys(record).sort()) {
				const item = canonicalJson(record[key], false);
				if (item !== undefined) parts.push(`${JSON.stringify(key)}:${item}`);
			}
			return `{${parts.join(',')}}`;
		}
		default:
			// undefined, functions and symbols vanish from objects and become null in
			// arrays, exactly as JSON.stringify does, so a stored doc hashes as in memory.
			return inArray ? 'null' : undefined;
	}
}

/** Attachment bodies and CouchDB's per-revision metadata (digest, revpos, stub, length)
 * differ between a stub and a full fetch; the name and the type do not. */
function attachmentsForSeal(attachments: unknown): unknown {
	if (attachments === null || typeof attachments !== 'object' || Array.isArray(attachments)) {
		return attachments;
	}
	const out: Record<string, unknown> = {};
	for (const [name, meta] of Object.entries(attachments as Record<string, unknown>)) {
		const type =
			meta !== null && typeof meta === 'object'
				? (meta as { content_type?: unknown }).content_type
				: undefined;
		out[name] = type === undefined ? {} : { content_type: type };
	}
	return out;
}

/** The canonical JSON text of a report: what the hash seals. */
export function canonicalReport(report: HashableReport): string {
	const sealed: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(report)) {
		if (EXCLUDED_FIELDS.has(key)) continue;
		sealed[key] = key === '_attachments' ? attachmentsForSeal(value) : value;
	}
	return canonicalJson(sealed, false) ?? '{}';
}

function toHex(buffer: ArrayBuffer): string {
	let out = '';
	for (const byte of new Uint8Array(buffer)) out += byte.toString(16).padStart(2, '0');
	return out;
}

async function sha256(bytes: Uint8Array): Promise<string> {
	// Copied so the argument is a plain ArrayBuffer view (not a SharedArrayBuffer one),
	// which WebCrypto requires in every runtime.
	return toHex(await globalThis.crypto.subtle.digest('SHA-256', new Uint8Array(bytes)));
}

/**
 * SHA-256 (lowercase hex) sealing a report and its signature images. The preimage is
 * the UTF-8 text
 *
 *     canonicalReport(report)
 *     + for each image, by name in code-unit order: "\n" + name + "\n" + sha256hex(image)
 *
 * so the images are bound by their own digests and can be checked separately.
 */
export async function hashReport(
	report: HashableReport,
	signatureImages: Readonly<Record<string, Uint8Array>>
): Promise<string> {
	let preimage = canonicalReport(report);
	for (const name of Object.keys(signatureImages).sort()) {
		const image = signatureImages[name];
		if (image === undefined) continue;
		preimage += `\n${name}\n${await sha256(image)}`;
	}
	return sha256(new TextEncoder().encode(preimage));
}

export type SignatureRole = 'technician' | 'client';
export const SIGNATURE_ROLES: readonly SignatureRole[] = ['technician', 'client'];

/** Attachment name under which a role's signature image is stored (PNG from signature_pad). */
export function signatureAttachmentName(role: SignatureRole): string {
	return `signature-${role}.png`;
}

function hasSignature(report: HashableReport, role: SignatureRole): boolean {
	const s = report.signatures?.[role];
	return s !== undefined && s !== null && s !== false;
}

export type VerifyResult =
	| { ok: true }
	| {
			ok: false;
			reason: 'no_hash' | 'missing_signature_image' | 'mismatch';
			message: string;
	  };

/** Recomputes the seal and compares it with `report.hash`. */
export async function verifyReport(
	report: HashableReport,
	signatureImages: Readonly<Record<string, Uint8Array>>
): Promise<VerifyResult> {
	if (typeof report.hash !== 'string' || report.hash === '') {
		return { ok: false, reason: 'no_hash', message: 'This report carries no integrity hash' };
	}
	for (const role of SIGNATURE_ROLES) {
		if (
			hasSignature(report, role) &&
			!Object.keys(signatureImages).some((n) => n.startsWith(`signature-${role}`))
		) {
			return {
				ok: false,
				reason: 'missing_signature_image',
				message: `The ${role} signature image is missing, so the report cannot be checked`
			};
		}
	}
	const actual = await hashReport(report, signatureImages);
	return actual === report.hash.toLowerCase()
		? { ok: true }
		: {
				ok: false,
				reason: 'mismatch',
				message: 'The report or a signature image was changed after signing'
			};
}

/** A hash for people to compare at a glance: `groups` groups of 4 hex digits. */
export function shortHash(hex: string, groups = 2): string {
	const clean = hex.toLowerCase().replace(/[^0-9a-f]/g, '');
	const out: string[] = [];
	for (let i = 0; i < groups && i * 4 < clean.length; i++) out.push(clean.slice(i * 4, i * 4 + 4));
	return out.join(' ');
}

/** Signed by both parties: from then on, the report is sealed. */
export function isFullySigned(report: HashableReport): boolean {
	return SIGNATURE_ROLES.every((role) => hasSignature(report, role));
}

/** A signed report (both signatures and its hash) is immutable. */
export function isLocked(report: HashableReport): boolean {
	return isFullySigned(report) && typeof report.hash === 'string' && report.hash !== '';
}

export type ReportChangeDecision =
	| { ok: true }
	| {
			ok: false;
			reason: 'signed_report_immutable' | 'signed_without_hash';
			message: string;
			/** Top-level fields that differ, to tell the person what was refused. */
			fields: string[];
	  };

function changedFields(before: HashableReport, after: HashableReport): string[] {
	const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
	const changed: string[] = [];
	for (const key of [...keys].sort()) {
		if (EXCLUDED_FIELDS.has(key) && key !== 'hash') continue;
		const a = key === '_attachments' ? attachmentsForSeal(before[key]) : before[key];
		const b = key === '_attachments' ? attachmentsForSeal(after[key]) : after[key];
		if (canonicalJson(a, false) !== canonicalJson(b, false)) changed.push(key);
	}
	return changed;
}

/**
 * Whether `after` may replace `before`. Only CouchDB bookkeeping and the reader list
 * (`access`, recomputed by the server when assignments change) may move on a locked
 * report; deleting it is a change too. A report that gains both signatures must carry
 * its hash in the same write, or it would sit signed but unsealed.
 */
export function reportChangeAllowed(
	before: HashableReport | null | undefined,
	after: HashableReport
): ReportChangeDecision {
	if (before && isLocked(before)) {
		const fields = changedFields(before, after);
		if (fields.length > 0) {
			return {
				ok: false,
				reason: 'signed_report_immutable',
				message: `This report is signed by the technician and the client: it can no longer be changed (${fields.join(', ')})`,
				fields
			};
		}
		return { ok: true };
	}
	if (isFullySigned(after) && !isLocked(after)) {
		return {
			ok: false,
			reason: 'signed_without_hash',
			message: 'A report signed by both parties must be saved with its integrity hash',
			fields: ['hash']
		};
	}
	return { ok: true };
}
