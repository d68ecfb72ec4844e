import type { DocumentScope } from 'nano';
import { loadDesignDocs, type DesignDoc } from '../../couch-design/build.ts';
import { statusOf } from '../errors.ts';

/** Puts each design document when it is missing or differs from the compiled one. */
export async function deployDesignDocs(
	db: DocumentScope<Record<string, unknown>>,
	docs?: readonly DesignDoc[]
): Promise<string[]> {
	const changed: string[] = [];
	for (const doc of docs ?? (await loadDesignDocs())) {
		const current = await getOrNull(db, doc._id);
		if (current && sameContent(current, doc)) continue;
		await db.insert({ ...doc, ...(current?._rev ? { _rev: current._rev } : {}) });
		changed.push(doc._id);
	}
	return changed;
}

async function getOrNull(
	db: DocumentScope<Record<string, unknown>>,
	id: string
): Promise<DesignDoc | null> {
	try {
		return (await db.get(id)) as unknown as DesignDoc;
	} catch (error) {
		if (statusOf(error) === 404) return null;
		throw error;
	}
}

/** CouchDB may hand keys back in another order: compare with sorted keys, without `_rev`. */
function sameContent(a: DesignDoc, b: DesignDoc): boolean {
	const strip = ({ _rev, ...rest }: DesignDoc) => (void _rev, rest);
	return stable(strip(a)) === stable(strip(b));
}

function stable(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).sort(([x], [y]) =>
			x < y ? -1 : 1
		);
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
	}
	return JSON.stringify(value);
}
