import { Type } from 'typebox';
import { Id, Nullable } from '../lib/schemas.js';

/** Request and response schemas of the recommendation and compatibility routes (validation, serialisation and OpenAPI). */

export const Score = Type.Integer({ minimum: 0, maximum: 100, description: '궁합 score, symmetric: score(A, B) = score(B, A)' });

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
