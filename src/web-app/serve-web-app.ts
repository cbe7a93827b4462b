import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { packageRoot } from '../shared/package-root.js';

/** Where Vite writes the app (web/vite.config.ts: `base: '/app/'`, outDir `dist`). */
export const WEB_DIST_DIR = join(packageRoot(), 'web', 'dist');
export const WEB_ASSET_BASE = '/app';
const SCREEN_PATH = /^\/(account|admin|sys)(\/|$)/;

/** Express matches mount paths case-insensitively: /APP/assets/x.js is the asset too. */
const ASSET_PATH = /^\/app(\/|$)/i;

/**
 * Serves the React app (issue 18) from the same origin as the API. Its hashed assets live under
 * /app/; a browser navigation (GET, Accept prefers text/html) to /account/…, /admin/… or /sys/…
 * gets index.html and the app's router takes over (SPA fallback). The API shares those prefixes
 * (/sys/tenants, /admin/tenants/chain): the app's own calls ask for JSON, so they pass through.
 *
 * A router of its own, called by the request pipeline only for a path it can answer
 * (`webAppPath`): an API request never walks its layers.
 */
export function webApp(distDir = WEB_DIST_DIR): express.Router {
  const router = express.Router();
  router.use(WEB_ASSET_BASE, express.static(distDir, { index: false, immutable: true, maxAge: '365d', fallthrough: true }));
  let index: Buffer | null = null;
  router.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !SCREEN_PATH.test(req.path)) return next();
    if (req.accepts(['json', 'html']) !== 'html') return next();
    const file = join(distDir, 'index.html');
    if (!index) {
      if (!existsSync(file)) {
        res.status(503).type('text/plain').send('The web app is not built yet: run `npm run build`.');
        return;
      }
      index = readFileSync(file);
    }
    res.status(200).type('html').setHeader('Cache-Control', 'no-store');
    res.send(index);
  });
  return router;
}

/** True for the paths webApp may answer: an asset under /app, or a GET/HEAD of a screen. */
export const webAppPath = (method: string, path: string): boolean =>
  ASSET_PATH.test(path) || ((method === 'GET' || method === 'HEAD') && SCREEN_PATH.test(path));
