/** The admin URL of TEST_COUCHDB_URL without credentials, and its Basic authorization header. */
function couchOfTest(): { url: URL; headers: Record<string, string> } | null {
	const raw = process.env.TEST_COUCHDB_URL;
	if (!raw) return null;
	const url = new URL(raw);
	const auth = Buffer.from(
		`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
	).toString('base64');
	url.username = '';
	url.password = '';
	return { url, headers: { authorization: `Basic ${auth}` } };
}

/**
 * Whether the tests run on a CouchDB cluster (TEST_COUCHDB_URL naming a node of several). On a
 * cluster, a write made straight to the database (not through this server) reaches the server's
 * changes feed once the copies it reads hold it: eventually, not at once.
 */
export async function onCluster(): Promise<boolean> {
	const couch = couchOfTest();
	if (!couch) return false;
	const res = await fetch(new URL('/_membership', couch.url), { headers: couch.headers });
	if (!res.ok) return false;
	const body = (await res.json()) as { cluster_nodes?: unknown[] };
	return (body.cluster_nodes?.length ?? 0) > 1;
}

/**
 * On a cluster, waits until every copy of each shard range of the database holds as many live
 * and deleted documents as the other copies of that range (node-local `/_node/<node>/<shard>`).
 * A write answered with a quorum (w=2 of 3) reaches the third copy a moment later, and a
 * clustered read (`GET /db`, a view) answers from whichever copies reply first. Returns at once
 * off a cluster.
 * @returns how long it waited, in ms.
 */
export async function copiesSettled(dbName: string, timeoutMs = 20_000): Promise<number> {
	const couch = couchOfTest();
	if (!couch || !(await onCluster())) return 0;
	const get = async (path: string) => {
		const res = await fetch(new URL(path, couch.url), { headers: couch.headers });
		if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
		return (await res.json()) as Record<string, unknown>;
	};
	const map = (await get(`/_node/_local/_dbs/${encodeURIComponent(dbName)}`)) as {
		shard_suffix: number[];
		by_range: Record<string, string[]>;
	};
	const suffix = String.fromCharCode(...map.shard_suffix);
	const started = Date.now();
	for (;;) {
		let agree = true;
		const seen: string[] = [];
		for (const [range, nodes] of Object.entries(map.by_range)) {
			const shard = encodeURIComponent(`shards/${range}/${dbName}${suffix}`);
			const counts = await Promise.all(
				nodes.map(async (node) => {
					const info = await get(`/_node/${encodeURIComponent(node)}/${shard}`);
					return `${String(info.doc_count)}/${String(info.doc_del_count)}`;
				})
			);
			seen.push(`${range}: ${counts.join(' ')}`);
			if (new Set(counts).size > 1) agree = false;
		}
		if (agree) return Date.now() - started;
		if (Date.now() - started > timeoutMs)
			throw new Error(`copies of ${dbName} still differ after ${timeoutMs} ms: ${seen.join('; ')}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/**
 * On a cluster: what is left to index (`pending_updates`) on each copy of the shard range that
 * holds the design document, read on each node (node-local `/_node/<node>/<shard>/<ddoc>/_info`;
 * the other ranges cannot be asked this way, since a node-local request reads the design
 * document from the shard itself). Null off a cluster.
 */
export async function ddocCopiesPending(
	dbName: string,
	ddocId: string
): Promise<Record<string, number> | null> {
	const couch = couchOfTest();
	if (!couch || !(await onCluster())) return null;
	const get = (path: string) => fetch(new URL(path, couch.url), { headers: couch.headers });
	const res = await get(`/_node/_local/_dbs/${encodeURIComponent(dbName)}`);
	const map = (await res.json()) as { shard_suffix: number[]; by_range: Record<string, string[]> };
	const suffix = String.fromCharCode(...map.shard_suffix);
	const pending: Record<string, number> = {};
	for (const [range, nodes] of Object.entries(map.by_range)) {
		const shard = encodeURIComponent(`shards/${range}/${dbName}${suffix}`);
		for (const node of nodes) {
			const info = await get(`/_node/${encodeURIComponent(node)}/${shard}/${ddocId}/_info`);
			if (info.status === 404) continue;
			const body = (await info.json()) as { view_index: { pending_updates: number } };
			pending[`${node} ${range}`] = body.view_index.pending_updates;
		}
	}
	return pending;
}
