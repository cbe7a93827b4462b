import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Nest serves dist/ at /app/ and index.html for every screen under /account, /admin and /sys
// (src/web-app/serve-web-app.ts). No inline script: the CSP is helmet's `script-src 'self'`.
export default defineConfig({
  base: '/app/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, modulePreload: { polyfill: false } },
  server: { proxy: { '^/(auth|me|sys|tenants|chain|admin|public|players|venue|invitations|health)': 'http://localhost:3000' } },
});
