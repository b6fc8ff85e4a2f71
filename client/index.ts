import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './api-types.js';

/**
 * Typed client of the saju dating API. REST types are generated from the server's OpenAPI
 * document (`npm run client:generate`); Socket.IO event types are in socket-events.ts.
 * Needs the `openapi-fetch` package (and `socket.io-client` for real time) in the app.
 */
export type { components, paths } from './api-types.js';
export type * from './socket-events.js';

type JsonOf<T> = T extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON body of a successful response: `ApiResponse<'/api/chats', 'get', 200>`. */
export type ApiResponse<P extends keyof paths, M extends keyof paths[P], S extends number = 200> = paths[P][M] extends {
  responses: infer R;
}
  ? S extends keyof R
    ? JsonOf<R[S]>
    : never
  : never;

export type LoginResponse = ApiResponse<'/api/users/login', 'post'>;
export type ChatSummary = ApiResponse<'/api/chats', 'get'>[number];
export type ChatMessage = ApiResponse<'/api/chats/{chat_id}/messages', 'get'>[number];
export type Recommendation = ApiResponse<'/api/matches/recommendations', 'get'>[number];
export type OwnProfile = ApiResponse<'/api/users/me', 'get'>;

/**
 * A typed fetch client; `getToken` supplies the current access token for each request. `fetch`
 * replaces the transport, e.g. one that refreshes the token on a 401 and retries once (the web
 * client's web/src/api.ts does).
 */
export function createApiClient(
  baseUrl: string,
  getToken: () => string | undefined = () => undefined,
  options: { fetch?: ClientOptions['fetch'] } = {},
): Client<paths> {
  const client = createClient<paths>({ baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  client.use({
    onRequest({ request }) {
      const token = getToken();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  });
  return client;
}
