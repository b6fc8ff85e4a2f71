import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The moderators: the accounts whose email is in MODERATOR_EMAILS, read once at start-up (no API
 * call can grant the role). Emails are stored lower-cased on both sides, so the match is
 * case-insensitive.
 */
export class Moderators {
  private readonly emails: ReadonlySet<string>;

  constructor(emails: readonly string[]) {
    this.emails = new Set(emails.map((e) => e.trim().toLowerCase()));
  }

  includes(email: string): boolean {
    return this.emails.has(email.toLowerCase());
  }

  /**
   * Route hook after authentication: to anyone who is not a moderator an admin route answers
   * exactly as a route that does not exist (the app's not-found handler), so it gives nothing away.
   */
  readonly only = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const caller = request.caller;
    if (caller && this.includes(caller.profile.email)) return undefined;
    reply.callNotFound();
    return reply;
  };
}
