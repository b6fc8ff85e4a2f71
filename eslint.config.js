import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, lowest first (docs/architecture.md explains them). A file may import from
 * its own folder and from folders in lower layers, never from a higher one, so the folders form
 * one direction and no cycle between them can exist. Type-only imports count too.
 */
const LAYERS = [
  ['lib', 'config'],
  ['saju'],
  ['db'],
  ['auth'],
  ['safety'],
  ['users'],
  ['recommendations'],
  ['notifications'],
  ['matches'],
  ['chats'],
  ['realtime'],
  ['ops', 'web'],
  // Features that read across all the others: the moderators' queue and the personal data export.
  ['moderation', 'export'],
  // The composition: the migrations (which load feature SQL), the server and its entry points.
  ['db/migrations', 'db/migrate', 'db/migrate.cli', 'app', 'main', 'cluster', 'worker'],
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** An import of one of these modules or folders, written from anywhere inside src/ (any depth). */
const importOf = (names) => `^(\\.\\./)+(${names.map(escape).join('|')})(/|\\.js$)`;

function layerRules() {
  return LAYERS.slice(0, -1).flatMap((layer, index) => {
    const above = LAYERS.slice(index + 1).flat();
    const message = `src/${layer[0]} is in layer ${index}: it may import only from its own and lower layers (eslint.config.js LAYERS, docs/architecture.md).`;
    return layer.map((name) => ({
      files: name === 'config' ? ['src/config.ts'] : [`src/${name}/**/*.ts`],
      ignores: above.filter((a) => a.startsWith(`${name}/`)).map((a) => `src/${a}{.ts,/**/*.ts}`),
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              // config.ts sits in src/ itself: its sibling modules are written './x.js'.
              { regex: name === 'config' ? `^\\./(?!lib/)` : importOf(above), message },
              // The rest of db/ sits beside the migrations and their runner, which are above it.
              ...(name === 'db' ? [{ regex: '^\\./(migrations/|migrate(\\.cli)?\\.js$)', message }] : []),
            ],
          },
        ],
      },
    }));
  });
}

export default tseslint.config(
  { ignores: ['dist/**', '.bench-build/**', 'node_modules/**', 'data/**', 'client/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...layerRules(),
  {
    // The saju engine is pure: no I/O, no clock, no environment. It imports its own files and the
    // calendar library, nothing else: no node: modules, no database, no lib/, no config.
    files: ['src/saju/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!\\./|manseryeok$)', message: 'src/saju is pure: it may import only its own files and manseryeok.' }] },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/saju reads no environment.' },
        { name: 'fetch', message: 'src/saju does no I/O.' },
        { name: 'setTimeout', message: 'src/saju keeps no time.' },
        { name: 'setInterval', message: 'src/saju keeps no time.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'src/saju reads no clock: take the date as an argument.' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'src/saju reads no clock.' },
        { selector: 'ImportExpression', message: 'src/saju loads no modules at run time.' },
      ],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // Test code reads JSON bodies of many shapes; asserting on them is the point, not typing them.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
