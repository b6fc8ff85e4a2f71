import type { Db } from '../db/database.js';
import { notFound, NOT_FOUND } from '../lib/errors.js';
import { internationalAge, koreanDate } from '../lib/time.js';
import { eitherBlocked } from '../safety/blocks.repo.js';
import { activeRecentlySql } from '../auth/activity.js';
import { isActiveAccount } from '../auth/account-status.js';

/** What anyone logged in may see of a person: age (만 나이), never the birth date or email. */
export class PublicProfileService {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  async view(viewerId: number, userId: number) {
    const person = await this.db
      .selectFrom('users as u')
      .leftJoin('user_activity as a', 'a.user_id', 'u.id')
      .select(['u.id', 'u.name', 'u.birth_date', 'u.gender', 'u.location', 'u.job', 'u.bio', 'u.profile_img_url', 'u.region'])
      .select(activeRecentlySql('u', 'a').as('active_recently'))
      .where('u.id', '=', userId)
      // A suspended or banned account is not shown (the same 404 as an unknown id).
      .where(isActiveAccount('u'))
      .executeTakeFirst();
    // A block either way makes the two strangers again: the same 404 as an unknown id.
    if (!person || (userId !== viewerId && (await eitherBlocked(this.db, viewerId, userId)))) throw notFound(NOT_FOUND.user);
    return {
      user_id: person.id,
      name: person.name,
      age: internationalAge(person.birth_date, koreanDate(this.now())),
      gender: person.gender,
      location: person.location,
      job: person.job,
      bio: person.bio,
      profile_img_url: person.profile_img_url,
      region: person.region,
      active_recently: person.active_recently,
    };
  }
}
