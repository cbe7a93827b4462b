import type { NextFunction, Request, Response } from 'express';

/** The parts of express's router (router 2.x) this reads: its layers, and a route layer's route. */
interface RouterLayer {
  handle: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  match(path: string): unknown;
  handleRequest(req: Request, res: Response, next: NextFunction): void;
}

/** The methods looked up directly; HEAD and OPTIONS keep express's own rules (GET routes answer HEAD, automatic OPTIONS). */
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** A route path with no parameter, wildcard, optional part or pattern. */
const STATIC_PATH = /^\/[\w\-./]*$/;
/** A request path that can be compared as lower-cased text: printable ASCII, no percent escape. */
const PLAIN_PATH = /^\/[\x21-\x24\x26-\x7e]*$/;

const key = (method: string, path: string) =>
  `${method} ${(path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).toLowerCase()}`;

/**
 * Routes whose path has no parameter, found in one Map lookup instead of express's walk over
 * every layer before them (each layer a path-to-regexp match and a closure): a route registered
 * late (there are ~130) cost the walk over all of them. express matches case-insensitively and
 * with an optional trailing slash, so the key is the lower-cased path without one; a path that
 * is not plain ASCII, or a method other than GET/POST/PUT/PATCH/DELETE, takes express's walk.
 *
 * Built once after the app registered its routes, from the layers after `after` (the request
 * pipeline's own layer): a route is taken only when no layer between the two would have matched
 * its path first (a parameter route or a mounted middleware registered before it), so the
 * answer is always the one express's walk would have reached.
 */
export class StaticRoutes {
  private routes = new Map<string, RouterLayer>();

  build(stack: readonly RouterLayer[], after: unknown): void {
    const start = stack.findIndex((l) => l.handle === after) + 1;
    if (start === 0) throw new Error('the request pipeline is not in the router');
    const routes = new Map<string, RouterLayer>();
    for (let i = start; i < stack.length; i++) {
      const layer = stack[i]!;
      const path = layer.route?.path;
      if (typeof path !== 'string' || !STATIC_PATH.test(path)) continue;
      for (const method of METHODS) {
        if (!layer.route!.methods[method] && !layer.route!.methods._all) continue;
        // an earlier route for the same key shadows this one too: the first is the one express reaches
        const shadowed = stack.slice(start, i).some((l) => l.match(path) && (!l.route || l.route.methods[method] || l.route.methods._all));
        if (!shadowed) routes.set(key(method.toUpperCase(), path), layer);
      }
    }
    this.routes = routes;
  }

  /** Hands the request to its static route, or to express's walk (`next`). */
  dispatch(req: Request, res: Response, next: NextFunction): void {
    const path = req.path;
    const layer = PLAIN_PATH.test(path) ? this.routes.get(key(req.method, path)) : undefined;
    if (!layer) return next();
    // what express's walk sets for the route it found
    req.params = {};
    layer.handleRequest(req, res, next);
  }

  get size(): number {
    return this.routes.size;
  }
}
