import type { PersonSummary } from '../lib/events.js';
import { internationalAge } from '../lib/time.js';
import type { MatchListRow } from './matches.repo.js';

/** The people side of a match as the partner sees it: age, never the birth date or email. */
export interface Person {
  id: number;
  name: string;
  birth_date: string;
  profile_img_url: string | null;
}

export function presentPersonSummary(p: Person): PersonSummary {
  return { user_id: p.id, name: p.name, profile_img_url: p.profile_img_url };
}

export function presentPartner(p: Person, today: string) {
  return { user_id: p.id, name: p.name, age: internationalAge(p.birth_date, today), profile_img_url: p.profile_img_url };
}

export function presentMatchListItem(row: MatchListRow, userId: number, today: string) {
  return {
    match_id: row.id,
    status: row.status,
    direction: row.requester_id === userId ? ('sent' as const) : ('received' as const),
    compatibility_score: row.compatibility_score,
    created_at: row.created_at.toISOString(),
    partner: presentPartner(
      {
        id: row.partner_id,
        name: row.partner_name,
        birth_date: row.partner_birth_date,
        profile_img_url: row.partner_profile_img_url,
      },
      today,
    ),
    chat_id: row.chat_id,
  };
}
