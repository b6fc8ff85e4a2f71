import { Type } from 'typebox';
import { Id, Nullable, Timestamp } from '../lib/schemas.js';

/** Request and response schemas of the matches routes (validation, serialisation and OpenAPI). */

export const Score = Type.Integer({ minimum: 0, maximum: 100, description: '궁합 score, symmetric: score(A, B) = score(B, A)' });
export const MatchStatusSchema = Type.Union([Type.Literal('requested'), Type.Literal('matched'), Type.Literal('declined')]);
export const DirectionSchema = Type.Union([Type.Literal('received'), Type.Literal('sent')]);

export const Recommendation = Type.Object({
  user_id: Id,
  name: Type.String(),
  age: Type.Integer({ description: 'International age (만 나이), Korean time' }),
  location: Nullable(Type.String()),
  bio: Nullable(Type.String()),
  profile_img_url: Nullable(Type.String()),
  compatibility_score: Score,
});

export const RecommendationsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
});

export const CompatibilityBody = Type.Object({
  user_id: Id,
  compatibility_score: Score,
  breakdown: Type.Array(
    Type.Object({
      rule: Type.String({ description: 'Stable machine id of the saju rule' }),
      points: Type.Integer(),
      description: Type.String({ description: 'Korean explanation' }),
    }),
    { description: 'The rules that produced the score; their points add up to it' },
  ),
  summary: Type.String({ description: 'Korean summary' }),
});

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

export const PastPerson = Type.Object({
  user_id: Id,
  name: Type.String(),
  ended_at: Timestamp,
  reason: Type.Union([Type.Literal('unmatched'), Type.Literal('blocked')], {
    description: 'unmatched: either of you ended the match; blocked: you blocked them',
  }),
});
