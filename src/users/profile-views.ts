import type { FastifyRequest, preHandlerHookHandler } from 'fastify';
import { callerOf } from '../auth/auth.guard.js';
import { rateLimited } from '../lib/errors.js';
import type { RateLimiter } from '../lib/rate-limit.js';

const HOUR_SECONDS = 3600;

/**
 * PROFILE_VIEWS_PER_HOUR: public profiles and compatibility breakdowns together, per viewer, on
 * every process (the shared limiter) — against scraping the member base. Every request counts,
 * a 404 included: probing ids is scraping too.
 */
export function profileViewLimit(limiter: RateLimiter, perHour: number): preHandlerHookHandler {
  return async (req: FastifyRequest) => {
    const decision = await limiter.hit(`profile-views:user:${callerOf(req).userId}`, perHour, HOUR_SECONDS);
    if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds, 'Too many profile views, please try again later');
  };
}
