import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { LAYERS, PROGRAMS, STANDALONE } from './scripts/layers.mjs';

const folders = [...LAYERS.map(([name]) => name), ...STANDALONE];
/** A relative import that reaches into one of these top-level folders of src/. */
const into = (names) => `^(\\.\\.?/)+(${names.join('|')})/`;
// Imports run down the layers: each folder may not import a folder above it (nor a standalone one).
const layerRules = LAYERS.map(([name], i) => ({
  files: [`src/${name}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ regex: into([...LAYERS.slice(i + 1).map(([n]) => n), ...STANDALONE]), message: `src/${name} imports only from its own layer and those below it (scripts/layers.mjs)` }] }],
  },
}));
const standaloneRules = STANDALONE.map((name) => ({
  files: [`src/${name}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ regex: into(folders.filter((n) => n !== name)), message: `src/${name} is standalone: it imports nothing else from src/` }] }],
  },
}));

// The programs import the package as a user does: through the entry points package.json exports
// (src/index.ts, src/xml/index.ts, src/xml/tree.ts), nothing deeper.
const entries = Object.values(JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).exports).map((e) => e.default.replace(/^\.\/dist\/src\//, ''));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const programRules = PROGRAMS.map((name) => ({
  files: [`src/${name}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ regex: `^(\\.\\./)+(?!(${entries.map(escape).join('|')})$)(${folders.join('|')})/`, message: `src/${name} uses only the package's public entry points (${entries.map((e) => `src/${e.replace(/\.js$/, '.ts')}`).join(', ')})` }] }],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'dist-scripts/**', 'docs/**', 'node_modules/**', 'src/**/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...layerRules,
  ...standaloneRules,
  ...programRules,
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
