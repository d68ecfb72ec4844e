import * as v from 'valibot';
import { idSuffix } from '../ids.ts';
import { docBase, ref, text, timestamp } from './common.ts';

export const SURVEY_RATINGS = [1, 2, 3, 4, 5] as const;
export const MAX_SURVEY_COMMENT = 2000;

/** The one survey answer of a ticket: `survey:<the ticket id's suffix>`. */
export const surveyIdOf = (ticketId: string): string => `survey:${idSuffix(ticketId)}`;

/**
 * The requester's satisfaction answer after closure (seed 003, "satisfaction des
 * utilisateurs"): a 1–5 rating and a comment, one per ticket. Written by the server only,
 * from the requester's page; devices read it and never write it (may-write.ts).
 */
export const SurveySchema = v.pipe(
	v.object({
		...docBase('survey'),
		ticketId: ref('ticket'),
		rating: v.picklist(SURVEY_RATINGS),
		comment: v.pipe(
			text,
			v.maxLength(MAX_SURVEY_COMMENT, `must be at most ${MAX_SURVEY_COMMENT} characters`)
		),
		answeredAt: timestamp
	}),
	v.forward(
		v.partialCheck(
			[['_id'], ['ticketId']],
			(s) => s._id === surveyIdOf(s.ticketId),
			'must be "survey:" followed by the ticket id’s suffix'
		),
		['_id']
	)
);

export type SurveyDoc = v.InferOutput<typeof SurveySchema>;
export type SurveyRating = (typeof SURVEY_RATINGS)[number];
