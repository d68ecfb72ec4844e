function (doc) {
	if (doc.type) emit([doc.type, doc.updatedAt || doc.createdAt || null], null);
}
