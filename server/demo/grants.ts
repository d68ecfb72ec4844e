// A few access grants (seed 000, A5/M22/M23): technicians asking to read a client's file
// outside any mission, approved with an expiry, refused, or still waiting for the admin.
import type { GrantDoc } from '../../src/lib/domain/schemas.ts';
import type { DemoClient } from './clients.ts';
import type { DemoContext } from './context.ts';
import type { StaffRoster } from './people.ts';
import { DAY, HOUR, iso } from './time.ts';

// prettier-ignore
const REASONS = [
	'Préparation de la maintenance préventive trimestrielle.',
	'Astreinte : besoin du plan réseau en cas d’appel ce week-end.',
	'Audit de sécurité demandé par le client.'
];

export function buildGrants(
	ctx: DemoContext,
	staff: StaffRoster,
	clients: readonly DemoClient[]
): GrantDoc[] {
	const rng = ctx.stream('grants');
	const statuses = ['approved', 'requested', 'refused'] as const;
	const out: GrantDoc[] = [];
	for (let i = 0; i < 3 * ctx.scale; i++) {
		const status = statuses[i % statuses.length] ?? 'requested';
		const requestedAt = ctx.now - rng.int(2, 72) * HOUR;
		const decidedAt = requestedAt + rng.int(1, 4) * HOUR;
		const base = {
			_id: ctx.id('grant', requestedAt),
			type: 'grant' as const,
			technicianId: rng.pick(staff.technicians).id,
			clientId: rng.pick(clients).doc._id,
			reason: rng.pick(REASONS),
			requestedAt: iso(requestedAt)
		};
		if (status === 'requested') out.push({ ...base, status });
		else if (status === 'refused')
			out.push({
				...base,
				status,
				decidedBy: staff.admin.id,
				decidedAt: iso(decidedAt),
				comment: 'Passer par une mission planifiée.'
			});
		else
			out.push({
				...base,
				status,
				decidedBy: staff.admin.id,
				decidedAt: iso(decidedAt),
				expiresAt: iso(decidedAt + 7 * DAY)
			});
	}
	return out;
}
