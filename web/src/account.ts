import { api, call, session } from './api.js';
import { realtime } from './realtime.js';

/** After login (or a refresh at start-up): who am I, then the socket. */
export async function enter(): Promise<void> {
  const me = await call(api.GET('/api/users/me'));
  session.user = { user_id: me.user_id, name: me.name, email: me.email };
  realtime.start();
}

export async function logIn(email: string, password: string): Promise<void> {
  const tokens = await call(api.POST('/api/users/login', { body: { email, password } }));
  session.accept(tokens);
  session.user = tokens.user;
  await enter();
}
