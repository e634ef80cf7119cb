import { defineConfig } from 'vitest/config';

// Unit tests of the client's pure parts (formatting, paging, routing, counter-offer display); flows are
// covered by the Playwright tests in tests/Scoda.Market.BrowserTests.
export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'node',
  },
});
