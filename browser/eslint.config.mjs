// Lint for the extension: ESLint's recommended rules, plus the few that catch what reviews
// here keep finding. Extension files are classic browser scripts; tools, tests and benchmarks
// are Node modules.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/', 'dist/'] },
  js.configs.recommended,
  {
    rules: {
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-implicit-globals': 'error',
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Text from pages and from the app is shown with textContent; markup is built only from
      // constants, and only where a rule below allows it.
      'no-restricted-properties': [
        'error',
        { property: 'outerHTML', message: 'Build elements; show outside text with textContent.' },
        { property: 'insertAdjacentHTML', message: 'Build elements; show outside text with textContent.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "AssignmentExpression[left.property.name='innerHTML']:not([right.type='TemplateLiteral'][right.expressions.length=0]):not([right.type='Literal'])",
          message: 'innerHTML only from constant markup; show outside text with textContent.',
        },
      ],
    },
  },
  {
    files: ['src/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { ...globals.browser, ...globals.webextensions, importScripts: 'readonly' },
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  {
    // Functions these send into the browser page (page.waitForFunction) run there.
    files: ['tools/screenshots.mjs', 'bench/detect-chromium.mjs', 'test/chromium.test.mjs'],
    languageOptions: { globals: { document: 'readonly' } },
  },
];
