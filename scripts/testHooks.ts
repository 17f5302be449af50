/**
 * The build-time switch for the end-to-end test hook: `P2P_TEST_HOOKS=1` when Vite loads its config turns
 * the constant __P2P_TEST_HOOKS__ on, and src/main.tsx then installs `window.__studio` (src/app/studioHook.ts)
 * with its test-only workers (kernel checks, UNet checks). Otherwise the constant is `false`, the hook is dead
 * code and the bundler leaves it, and the workers only it reaches, out of the build (scripts/bundle/hygiene.test.ts).
 */
export const TEST_HOOKS_ENV = 'P2P_TEST_HOOKS';

export function testHooksEnabled(env: Record<string, string | undefined>): boolean {
  return env[TEST_HOOKS_ENV] === '1';
}

/** Vite `define` entry; src/main.tsx declares the constant. */
export function testHooksDefine(env: Record<string, string | undefined>): Record<string, string> {
  return { __P2P_TEST_HOOKS__: JSON.stringify(testHooksEnabled(env)) };
}
