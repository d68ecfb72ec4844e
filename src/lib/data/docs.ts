/**
 * The device's one way to read and write business documents. Reads are typed at the boundary
 * (`null` on not-found, a throw on an invalid stored document); every multi-document write goes
 * through `writeAll`, which checks each result of `bulkDocs` — PouchDB answers per-document
 * errors (a 409 conflict, a validation refusal) without throwing — so nothing is reported as
 * saved that was not.
 */
import type { DocType } from '../domain/ids.ts';
import { parseAs, type DocOf } from '../domain/schemas.ts';
import type { LocalDb } from './local-db.ts';

/** All raw documents of one type (ids are prefixed by type, so a key range is cheap). */
export async function allOfType(db: LocalDb, type: string): Promise<Record<string, unknown>[]> {
	const result = await db.allDocs({
		startkey: `${type}:`,
		endkey: `${type}:\ufff0`,
		include_docs: true
	});
	return result.rows.flatMap((row) => (row.doc ? [row.doc as Record<string, unknown>] : []));
}

function isNotFound(error: unknown): boolean {
	return (error as { status?: unknown } | null)?.status === 404;
}

/**
 * One document of a known type from the local database, checked against its schema.
 * @returns null when the document is not on the device (or was deleted).
 * @throws {Error} when the stored document is not valid, or the database fails.
 */
export async function readDoc<T extends DocType>(
	db: LocalDb,
	type: T,
	id: string
): Promise<DocOf<T> | null> {
	let raw: unknown;
	try {
		raw = await db.get(id);
	} catch (error) {
		if (isNotFound(error)) return null;
		throw error;
	}
	const parsed = parseAs(type, raw);
	if (!parsed.ok) throw new Error(`${id} is not a valid ${type}: ${parsed.error.join('; ')}`);
	return parsed.value;
}

/**
 * Every valid document of a type that passes `keep`. Invalid documents are skipped with a
 * warning: one bad document must not blank a screen or hide a technician's whole day.
 */
export async function readAll<T extends DocType>(
	db: LocalDb,
	type: T,
	keep: (doc: DocOf<T>) => boolean = () => true
): Promise<DocOf<T>[]> {
	const out: DocOf<T>[] = [];
	let invalid = 0;
	for (const raw of await allOfType(db, type)) {
		const parsed = parseAs(type, raw);
		if (!parsed.ok) invalid++;
		else if (keep(parsed.value)) out.push(parsed.value);
	}
	if (invalid > 0) console.warn(`${invalid} invalid ${type} document(s) skipped`);
	return out;
}

export function str(value: unknown, fallback = ''): string {
	return typeof value === 'string' ? value : fallback;
}

/** Why the database refused one document of a batch. */
export interface WriteFailure {
	readonly id: string;
	/** HTTP-like status: 409 conflict, 403 validation refusal… (0 when unknown). */
	readonly status: number;
	/** The database's code, e.g. `conflict`, `forbidden`. */
	readonly error: string;
	/** The database's message, for logs. */
	readonly reason: string;
}

/**
 * A batch the database did not fully save. Screens say it with `describeWriteError`
 * (i18n/problems.ts): which document and why, in words.
 */
export class WriteError extends Error {
	readonly failures: readonly WriteFailure[];
	/** Ids of the documents of the batch that were saved despite the failures. */
	readonly saved: readonly string[];

	constructor(failures: readonly WriteFailure[], saved: readonly string[]) {
		super(
			`not saved: ${failures.map((f) => `${f.id} (${f.error}${f.reason ? `: ${f.reason}` : ''})`).join(', ')}`
		);
		this.name = 'WriteError';
		this.failures = failures;
		this.saved = saved;
	}

	get conflict(): boolean {
		return this.failures.some((f) => f.status === 409);
	}
}

interface BulkRow {
	readonly id?: string;
	readonly rev?: string;
	readonly ok?: boolean;
	readonly error?: unknown;
	readonly status?: number;
	readonly name?: string;
	readonly message?: string;
	readonly reason?: string;
}

/**
 * Saves documents in one batch and checks every result.
 * @returns the new revision of each document, by id.
 * @throws {WriteError} naming each document the database refused (conflict, validation).
 */
export async function writeAll(db: LocalDb, docs: readonly object[]): Promise<Map<string, string>> {
	if (docs.length === 0) return new Map();
	const results = (await db.bulkDocs(docs as never[])) as readonly BulkRow[];
	const revs = new Map<string, string>();
	const failures: WriteFailure[] = [];
	results.forEach((r, i) => {
		const id = r.id ?? str((docs[i] as { _id?: unknown })._id, '?');
		if (r.error) {
			failures.push({
				id,
				status: typeof r.status === 'number' ? r.status : 0,
				error: typeof r.name === 'string' ? r.name : String(r.error),
				reason: str(r.reason) || str(r.message)
			});
		} else if (r.rev) revs.set(id, r.rev);
	});
	if (failures.length > 0) throw new WriteError(failures, [...revs.keys()]);
	return revs;
}
