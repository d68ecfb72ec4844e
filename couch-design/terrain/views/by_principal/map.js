function (doc) {
	// Which documents (and revisions) each principal may hold: the allowed list of the sync pull.
	if (doc.access && doc.access.length) {
		for (var i = 0; i < doc.access.length; i++) emit(doc.access[i], doc._rev);
	}
}
