import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The server (src/api/dashboard.ts) serves dist/ at / and dist/assets/ with a long cache: names carry hashes.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets', chunkSizeWarningLimit: 2500 },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
