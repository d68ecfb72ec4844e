/**
 * `@date-fns/tz` as the design documents bundle it. CouchDB 3.5 runs validate_doc_update in
 * QuickJS, which has no `Intl`: without it `tzOffset` answers NaN for every zone, and the
 * domain's business hours (which check that their zone is known, and parse their defaults
 * when the module loads) would make the whole function throw on every document. There, a
 * zone that looks like an IANA name is taken as known, at offset 0: validate_doc_update
 * checks structure only, and the server, which has `Intl`, checks the zone for real.
 */
import { tzOffset as withIntl } from '@date-fns/tz/tzOffset';

const IANA = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)+$/;

export function tzOffset(timeZone: string, date: Date): number {
	if (typeof Intl !== 'undefined') return withIntl(timeZone, date);
	return timeZone === 'UTC' || IANA.test(timeZone) ? 0 : Number.NaN;
}
