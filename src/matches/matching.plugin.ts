import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { DatabaseHandle, Db } from '../db/database.js';
import type { EventBus } from '../lib/events.js';
import type { RateLimiter } from '../lib/rate-limit.js';
import { safetyRoutes } from '../safety/safety.routes.js';
import { SafetyService } from '../safety/safety.service.js';
import { PublicProfileService } from '../users/public-profile.service.js';
import { publicProfileRoutes } from '../users/public-profile.routes.js';
import { profileViewLimit } from '../users/profile-views.js';
import { CompatibilityService } from '../recommendations/compatibility.service.js';
import { KeyRankings } from '../recommendations/key-rankings.js';
import { SajuKeyUniverse } from '../recommendations/key-universe.js';
import { PoolCensus } from '../recommendations/pool-census.js';
import { matchesRoutes } from './matches.routes.js';
import { MatchesService } from './matches.service.js';
import { recommendationsRoutes } from '../recommendations/recommendations.routes.js';
import { RecommendationsService } from '../recommendations/recommendations.service.js';

export interface MatchingDeps {
  db: Db;
  events: EventBus;
  /** MATCH_REQUESTS_PER_DAY */
  requestsPerDay: number;
  now: () => Date;
  authenticate: onRequestHookHandler;
  /** Shared counters (Redis when configured): the reports and profile-view limits. */
  limiter: RateLimiter;
  /** PROFILE_VIEWS_PER_HOUR */
  profileViewsPerHour: number;
  /** Named prepared statements for the recommendation walk (DatabaseHandle.prepared). */
  prepared?: DatabaseHandle['prepared'];
}

/**
 * Everything people do about other people: public profiles, recommendations, compatibility,
 * chat requests and their answers, blocks and reports. One registration for buildApp.
 */
export function matchingPlugin(deps: MatchingDeps) {
  return async (fastify: FastifyInstance) => {
    const { db, events, now, authenticate } = deps;
    const universe = new SajuKeyUniverse(db);
    const rankings = new KeyRankings(db, universe);
    const census = new PoolCensus(db);
    // Read the chart-key universe and the pool census before serving, not during someone's first request.
    fastify.addHook('onReady', async () => {
      await Promise.all([universe.sync(), census.load()]);
    });
    const countView = profileViewLimit(deps.limiter, deps.profileViewsPerHour);
    await fastify.register(publicProfileRoutes(new PublicProfileService(db, now), authenticate, countView));
    await fastify.register(
      recommendationsRoutes(
        new RecommendationsService(db, rankings, now, census, deps.prepared ? { prepared: deps.prepared } : {}),
        new CompatibilityService(db),
        authenticate,
        countView,
      ),
    );
    await fastify.register(matchesRoutes(new MatchesService(db, events, deps.requestsPerDay, now), authenticate));
    await fastify.register(safetyRoutes(new SafetyService(db, events, deps.limiter), authenticate));
  };
}
