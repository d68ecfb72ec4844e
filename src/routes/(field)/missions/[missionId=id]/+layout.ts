import { error } from '@sveltejs/kit';
import { localDb } from '#lib/data/local-db.ts';
import { loadMissionFile } from './mission-file.ts';

export const load = async ({ params, parent, depends }) => {
	depends('field:mission');
	const { user } = await parent();
	const file = await loadMissionFile(localDb(user.name), `mission:${params.missionId}`, new Date());
	if (!file) error(404, 'mission');
	return { file };
};
