import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const here = dirname(fileURLToPath(import.meta.url));
export const DIST = join(here, 'dist');

export interface DesignDoc {
	_id: string;
	_rev?: string;
	language: 'javascript';
	views: Record<string, { map: string; reduce?: string }>;
	validate_doc_update?: string;
}

/** Compiles every design document folder into a JSON document. */
export async function buildDesignDocs(): Promise<DesignDoc[]> {
	const docs: DesignDoc[] = [];
	for (const name of readdirSync(here, { withFileTypes: true })) {
		if (!name.isDirectory() || name.name === 'dist') continue;
		docs.push(await buildOne(join(here, name.name), name.name));
	}
	return docs;
}

async function buildOne(dir: string, name: string): Promise<DesignDoc> {
	const views: DesignDoc['views'] = {};
	const viewsDir = join(dir, 'views');
	if (existsSync(viewsDir)) {
		for (const view of readdirSync(viewsDir).sort()) {
			const map = readFileSync(join(viewsDir, view, 'map.js'), 'utf8').trim();
			const reducePath = join(viewsDir, view, 'reduce.js');
			views[view] = existsSync(reducePath)
				? { map, reduce: readFileSync(reducePath, 'utf8').trim() }
				: { map };
		}
	}
	const doc: DesignDoc = { _id: `_design/${name}`, language: 'javascript', views };
	const validateEntry = join(dir, 'validate_doc_update.ts');
	if (existsSync(validateEntry)) doc.validate_doc_update = await bundleValidate(validateEntry);
	return doc;
}

/** Modules replaced in the bundle, for CouchDB's JavaScript engine (see each file). */
const FOR_COUCHDB: Record<string, string> = {
	'@date-fns/tz': join(here, 'tz-without-intl.ts')
};

/**
 * CouchDB wants one function expression: the bundle defines `terrainValidate`
 * inside the function body, so the domain code travels with the design document.
 */
async function bundleValidate(entry: string): Promise<string> {
	const bundle = await rolldown({
		input: entry,
		platform: 'neutral',
		logLevel: 'silent',
		tsconfig: false,
		plugins: [
			{
				name: 'terrain-for-couchdb',
				resolveId: (source: string) => FOR_COUCHDB[source] ?? null
			}
		]
	});
	const { output } = await bundle.generate({
		format: 'iife',
		name: 'terrainValidate',
		minify: true
	});
	await bundle.close();
	const code = output[0].code;
	return `function (newDoc, oldDoc, userCtx, secObj) {\n${code}\nterrainValidate.validate(newDoc, oldDoc, userCtx);\n}`;
}

export async function writeDesignDocs(): Promise<string[]> {
	const docs = await buildDesignDocs();
	mkdirSync(DIST, { recursive: true });
	return docs.map((doc) => {
		const file = join(DIST, `${doc._id.slice('_design/'.length)}.json`);
		writeFileSync(file, JSON.stringify(doc, null, '\t') + '\n');
		return file;
	});
}

/** Reads the compiled documents; builds them first when missing or older than their sources. */
export async function loadDesignDocs(): Promise<DesignDoc[]> {
	const built = existsSync(DIST)
		? readdirSync(DIST).map((f) => statSync(join(DIST, f)).mtimeMs)
		: [];
	const sources = [here, join(here, '..', 'src', 'lib', 'domain')];
	if (built.length === 0 || Math.min(...built) < Math.max(...sources.map(newest)))
		await writeDesignDocs();
	return readdirSync(DIST)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => JSON.parse(readFileSync(join(DIST, f), 'utf8')) as DesignDoc);
}

/** The latest change under a folder (the compiled output aside). */
function newest(path: string): number {
	const stat = statSync(path);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let latest = stat.mtimeMs;
	for (const name of readdirSync(path)) {
		if (name === 'dist') continue;
		latest = Math.max(latest, newest(join(path, name)));
	}
	return latest;
}

if (import.meta.url === `file://${process.argv[1]}`) {
	for (const file of await writeDesignDocs()) console.log(`design document written: ${file}`);
}
