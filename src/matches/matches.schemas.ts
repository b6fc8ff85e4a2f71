import { Type } from 'typebox';
import { Id, Nullable, Timestamp } from '../lib/schemas.js';
import { Score } from '../recommendations/recommendations.schemas.js';

/** Request and response schemas of the matches routes (validation, serialisation and OpenAPI). */

export const MatchStatusSchema = Type.Union([Type.Literal('requested'), Type.Literal('matched'), Type.Literal('declined')]);
export const DirectionSchema = Type.Union([Type.Literal('received'), Type.Literal('sent')]);

export const MatchRequestBody = Type.Object({ receiver_id: Id }, { additionalProperties: false });

export const RequestResult = Type.Object({
  match_id: Id,
  status: Type.Union([Type.Literal('requested'), Type.Literal('matched')]),
  chat_id: Type.Optional(Id),
});

export const Accepted = Type.Object({ match_id: Id, status: Type.Literal('matched'), chat_id: Id });
export const Declined = Type.Object({ match_id: Id, status: Type.Literal('declined') });

export const MatchListQuery = Type.Object({
  direction: Type.Optional(DirectionSchema),
  status: Type.Optional(MatchStatusSchema),
});

export const MatchListItem = Type.Object({
  match_id: Id,
  status: MatchStatusSchema,
  direction: DirectionSchema,
  compatibility_score: Nullable(Score),
  created_at: Timestamp,
  partner: Type.Object({ user_id: Id, name: Type.String(), age: Type.Integer(), profile_img_url: Nullable(Type.String()) }),
  chat_id: Nullable(Id),
});
