/** An answer of the API to a device; `body` is the parsed JSON, if any. */
export interface ApiAnswer {
  status: number;
  body: any;
  text: string;
}

/**
 * One REST call of a simulated phone, bounded by `timeoutMs`. Null when no answer came (server
 * down, connection cut, timeout): the caller cannot know whether it took effect, and retries.
 */
export async function callApi(
  base: string,
  token: string,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<ApiAnswer | null> {
  try {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('application/json') && text ? JSON.parse(text) : null;
    return { status: res.status, body: json, text };
  } catch {
    return null;
  }
}
