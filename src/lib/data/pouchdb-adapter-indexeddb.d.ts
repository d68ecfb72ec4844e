// The package ships no types; it is a PouchDB plugin like the others.
declare module 'pouchdb-adapter-indexeddb' {
	const plugin: PouchDB.Plugin;
	export default plugin;
}
