import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

// Folder boundaries in src/lib (issue #14 §4). Layers, each importing only
// those before it: types/bindings/services/backend → errors → ui → app →
// features (activity, assets, health, keys, leaks, profiles, settings, tokens) → shell.
// A feature never imports the shell nor another feature, except the
// EXCEPTIONS below. `import()` of a page (shell/lazyPages) is the shell's.
const FEATURES = ['activity', 'assets', 'health', 'keys', 'leaks', 'profiles', 'settings', 'tokens'];
const SHARED = ['errors', 'ui', 'app'];
const group = (folders) => folders.flatMap((f) => [`../${f}/*`, `../../${f}/*`, `**/lib/${f}/*`]);
const restrict = (folders, message, allow = []) => [
  'error',
  {
    patterns: [{ group: group(folders).concat(allow.map((a) => `!${a}`)), message }],
  },
];
// Feature-to-feature imports that stay, by importing folder.
const EXCEPTIONS = {
  // The first-run screen asks for the secrets passphrase with the settings' form.
  profiles: ['../settings/SecretsBanner.svelte', '../settings/SecretsForm.svelte'],
};
const boundaries = [
  ...FEATURES.map((feature) => ({
    files: [`src/lib/${feature}/**/*.{ts,svelte}`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        ['shell', ...FEATURES.filter((f) => f !== feature)],
        `A feature imports only shared modules (lib/ui, lib/app, lib/errors, lib/backend, lib/types…), not the shell or another feature (see eslint.config.js).`,
        EXCEPTIONS[feature] ?? [],
      ),
    },
  })),
  ...SHARED.map((folder, i) => ({
    files: [`src/lib/${folder}/**/*.{ts,svelte}`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        ['shell', ...FEATURES, ...SHARED.slice(i + 1)],
        `lib/${folder} is shared: it imports only the layers below it (see eslint.config.js).`,
      ),
    },
  })),
];

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'src/lib/bindings/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: ts.parser,
        svelteConfig,
      },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...boundaries,
);
