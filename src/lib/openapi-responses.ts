/**
 * Response descriptions for the OpenAPI document: route schemas give each response a body schema;
 * this names what each status means (instead of "Default Response" / the Error schema's
 * description) and documents `Retry-After` where the API sends it.
 */
const MEANING: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '204': 'Done; no body',
  '400': 'Invalid input: path, query or body (validation errors list each field in `details`)',
  '401': 'Missing, invalid or expired access token (or wrong credentials)',
  '403': 'Not allowed for the caller',
  '404': 'Not found, or not the caller\'s business',
  '409': 'Conflicts with the current state',
  '413': 'Body over 64 KiB',
  '429': 'Rate limited; retry after `Retry-After` seconds',
  '503': 'The database cannot answer right now (down, restarting or too slow); retry after `Retry-After` seconds',
};

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
};

type Responses = Record<string, { description?: string; headers?: Record<string, unknown> }>;
type Document = { paths?: Record<string, Record<string, { responses?: Responses }>> };

export function describeResponses<T>(document: T): T {
  for (const operations of Object.values((document as Document).paths ?? {})) {
    for (const operation of Object.values(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const generic = response.description === undefined || response.description === 'Default Response' || response.description === 'Every error response';
        if (generic && MEANING[status]) response.description = MEANING[status];
        if (status === '429' || status === '503') response.headers = { ...response.headers, ...RETRY_AFTER };
      }
    }
  }
  return document;
}
