/**
 * Whether the tests run on a CouchDB cluster (TEST_COUCHDB_URL naming a node of several). On a
 * cluster, a write made straight to the database (not through this server) reaches the server's
 * changes feed once the copies it reads hold it: eventually, not at once.
 */
export async function onCluster(): Promise<boolean> {
	const raw = process.env.TEST_COUCHDB_URL;
	if (!raw) return false;
	const url = new URL(raw);
	const auth = Buffer.from(
		`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
	).toString('base64');
	url.username = '';
	url.password = '';
	const res = await fetch(new URL('/_membership', url), {
		headers: { authorization: `Basic ${auth}` }
	});
	if (!res.ok) return false;
	const body = (await res.json()) as { cluster_nodes?: unknown[] };
	return (body.cluster_nodes?.length ?? 0) > 1;
}
