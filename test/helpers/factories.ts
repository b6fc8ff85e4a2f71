import type { Client } from './client.js';

let sequence = 0;

export interface NewUserInput {
  email?: string;
  password?: string;
  name?: string;
  birth_date?: string;
  gender?: 'male' | 'female' | 'other';
  birth_time?: string | null;
  birth_calendar?: 'solar' | 'lunar';
  is_leap_month?: boolean;
}

export interface TestUser {
  id: number;
  email: string;
  password: string;
  name: string;
  accessToken: string;
  refreshToken: string;
}

export function userInput(overrides: NewUserInput = {}) {
  sequence += 1;
  const unique = `${process.pid}-${Date.now()}-${sequence}`;
  return {
    email: `user-${unique}@example.com`,
    password: 'correct horse battery',
    name: `사용자${sequence}`,
    birth_date: '1995-03-15',
    gender: 'female' as const,
    ...overrides,
  };
}

/** Registers and logs in a user through the API. */
export async function createUser(api: Client, overrides: NewUserInput = {}): Promise<TestUser> {
  const input = userInput(overrides);
  const reg = await api.post('/api/users/register', { body: input });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${reg.text}`);
  const login = await api.post('/api/users/login', { body: { email: input.email, password: input.password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return {
    id: reg.body.user_id,
    email: input.email.trim().toLowerCase(),
    password: input.password,
    name: input.name,
    accessToken: login.body.access_token,
    refreshToken: login.body.refresh_token,
  };
}
