import { isoOrNull } from '../lib/time.js';
import type { ProfileRow } from '../auth/accounts.repo.js';

/** The owner's own view: everything but the password hash and internal keys. */
export function presentOwnProfile(u: ProfileRow) {
  return {
    user_id: u.id,
    name: u.name,
    email: u.email,
    // As the user entered it: the lunar date for a lunar birthday (solar_birth_date has the solar one).
    birth_date: u.birth_calendar === 'lunar' && u.lunar_birth_date ? u.lunar_birth_date : u.birth_date,
    gender: u.gender,
    location: u.location,
    job: u.job,
    bio: u.bio,
    profile_img_url: u.profile_img_url,
    created_at: isoOrNull(u.created_at),
    birth_time: u.birth_time,
    birth_calendar: u.birth_calendar,
    is_leap_month: u.is_leap_month,
    solar_birth_date: u.birth_date,
    interested_in: u.interested_in,
    region: u.region,
    preferred_regions: u.preferred_regions,
    age_min: u.age_min,
    age_max: u.age_max,
    discoverable: u.discoverable,
    show_activity: u.show_activity,
    push_previews: u.push_previews,
  };
}
