import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The ASP.NET Core host (src/Scoda.Market.Web) serves the built files from its webclient folder at "/".
const backend = 'http://localhost:5080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: '../../src/Scoda.Market.Web/webclient',
    emptyOutDir: true,
    sourcemap: false,
    // One bundle for a signed-in work tool (about 140 kB gzipped, SignalR included); split it when it grows further.
    chunkSizeWarningLimit: 600,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: backend },
      '/hubs': { target: backend, ws: true },
      '/health': { target: backend },
    },
  },
  preview: {
    proxy: {
      '/api': { target: backend },
      '/hubs': { target: backend, ws: true },
      '/health': { target: backend },
    },
  },
});
