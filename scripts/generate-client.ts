import { writeFileSync } from 'node:fs';
import { commandLine } from '../src/lib/cli.js';

// `npm run client:generate`: rewrites client/openapi.json and client/api-types.ts from the route
// schemas. test/client checks that the committed files are what this would write.
commandLine({ command: 'npm run client:generate --', options: {} });
const { clientSources } = await import('./client-sources.js'); // the app: loaded only for a valid command line
const sources = await clientSources();
for (const [path, text] of Object.entries(sources)) writeFileSync(path, text);
console.log(`wrote ${Object.keys(sources).join(', ')}`);
