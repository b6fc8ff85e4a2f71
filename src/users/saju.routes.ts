import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../auth/auth.guard.js';
import { bearer, errors, Nullable } from '../lib/schemas.js';
import { chartFromKey, presentChart } from '../saju/index.js';

const ElementName = Type.Union([
  Type.Literal('wood'),
  Type.Literal('fire'),
  Type.Literal('earth'),
  Type.Literal('metal'),
  Type.Literal('water'),
]);
const Character = Type.Object({
  hanja: Type.String(),
  hangul: Type.String(),
  element: ElementName,
  yin_yang: Type.Union([Type.Literal('yang'), Type.Literal('yin')]),
});
const Pillar = Type.Object({
  stem: Character,
  branch: Character,
  hanja: Type.String({ description: 'The pillar, e.g. 甲子' }),
  hangul: Type.String({ description: 'The pillar, e.g. 갑자' }),
});
const count = Type.Integer({ minimum: 0 });

export const SajuViewSchema = Type.Object({
  pillars: Type.Object({ year: Pillar, month: Pillar, day: Pillar, hour: Nullable(Pillar) }),
  elements: Type.Object({ wood: count, fire: count, earth: count, metal: count, water: count }),
  day_master: Character,
  zodiac: Type.Object({ hanja: Type.String(), hangul: Type.String(), animal: Type.String(), animal_en: Type.String() }),
  ambiguous: Type.Array(Type.Union([Type.Literal('year'), Type.Literal('month')]), {
    description: 'Pillars a birth time could change (a solar term falls on the birth date); [] otherwise',
  }),
});

export function sajuRoutes(authenticate: onRequestHookHandler) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', authenticate);
    app.get('/api/users/me/saju', {
      schema: {
        operationId: 'getMySaju',
        tags: ['users'],
        summary: 'My saju chart (사주팔자)',
        description:
          'Pillars at the birth time in Korean time, or at 12:00 without one (then `hour` is null). ' +
          'Computed at registration and stored as a compact chart key.',
        security: bearer,
        response: { 200: SajuViewSchema, ...errors(401) },
      },
      handler: async (req) => presentChart(chartFromKey(callerOf(req).profile.saju_key)),
    });
  };
}
