import type { Db } from '../db/database.js';
import { notFound, NOT_FOUND } from '../lib/errors.js';
import { internationalAge, koreanDate } from '../lib/time.js';
import { findPerson } from './users.repo.js';
import { eitherBlocked } from '../safety/blocks.repo.js';

/** What anyone logged in may see of a person: age (만 나이), never the birth date or email. */
export class PublicProfileService {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  async view(viewerId: number, userId: number) {
    const person = await findPerson(this.db, userId);
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
    };
  }
}
