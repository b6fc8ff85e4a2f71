import { writeFileSync } from 'node:fs';
import { clientSources } from './client-sources.js';

// `npm run client:generate`: rewrites client/openapi.json and client/api-types.ts from the route
// schemas. test/client checks that the committed files are what this would write.
const sources = await clientSources();
for (const [path, text] of Object.entries(sources)) writeFileSync(path, text);
console.log(`wrote ${Object.keys(sources).join(', ')}`);
