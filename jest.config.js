/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testTimeout: 60000,
  // Integration tests start child processes and servers; keep them from hanging CI.
  forceExit: true,
  setupFiles: ['<rootDir>/tests/support/jest-setup.ts'],
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
};
