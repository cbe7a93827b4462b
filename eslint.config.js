// ESLint flat config: typescript-eslint recommended, syntax-only (not type-aware) to stay fast.
import tseslint from 'typescript-eslint';

// web/ has its own config (web/eslint.config.js), run by `npm run lint -w web`.
export default tseslint.config({ ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'web/**'] }, ...tseslint.configs.recommended, {
  languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } },
  rules: {
    '@typescript-eslint/no-explicit-any': 'warn',
    // `_name` marks a deliberately unused binding (destructuring away a field, an ignored parameter).
    // A warning, not an error: tests create fixtures for their side effects (`const stranger = await member(...)`).
    '@typescript-eslint/no-unused-vars': [
      'warn',
      {
        argsIgnorePattern: '^_',
        varsIgnorePattern: '^_',
        caughtErrorsIgnorePattern: '^_',
        destructuredArrayIgnorePattern: '^_',
        ignoreRestSiblings: true,
      },
    ],
    // `const self = this` is how an async generator method reaches its object
    '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
  },
});
