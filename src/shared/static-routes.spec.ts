import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { StaticRoutes } from './static-routes.js';

/** The same routes with and without the direct lookup: every request must get the same answer. */
function app(routes: StaticRoutes | null) {
  const a = express();
  const front = (req: Request, res: Response, next: NextFunction) => (routes ? routes.dispatch(req, res, next) : next());
  a.use(front);
  const answer = (name: string) => (req: Request, res: Response) => res.json({ name, params: req.params, path: req.route?.path });
  a.get('/items/:id', answer('item by id'));
  a.get('/items/new', answer('new item (shadowed by the parameter route)'));
  a.get('/Plain', answer('plain'));
  a.post('/plain', answer('plain post'));
  a.use('/mounted', (_req, res) => res.json({ name: 'mounted middleware' }));
  a.get('/mounted/x', answer('shadowed by the mount'));
  a.get('/late', answer('late'));
  a.get('/late', answer('second late (never reached)'));
  a.delete('/late', answer('late delete'));
  a.use((req, res) => res.status(404).json({ name: 'not found', method: req.method, url: req.url }));
  routes?.build(a.router.stack as never, front);
  return a;
}

describe('StaticRoutes', () => {
  const routes = new StaticRoutes();
  const direct = app(routes);
  const walked = app(null);

  it('takes only the routes express would reach first, never one an earlier layer shadows', () => {
    // GET /plain, POST /plain, GET /late, DELETE /late
    expect(routes.size).toBe(4);
  });

  it.each([
    ['GET', '/items/new'],
    ['GET', '/items/7'],
    ['GET', '/plain'],
    ['GET', '/PLAIN/'],
    ['GET', '/plain//'],
    ['GET', '/pl%61in'],
    ['GET', '/plain?x=1'],
    ['HEAD', '/plain'],
    ['OPTIONS', '/plain'],
    ['PUT', '/plain'],
    ['POST', '/Plain'],
    ['GET', '/mounted/x'],
    ['GET', '/late'],
    ['DELETE', '/late/'],
    ['POST', '/late'],
  ])('%s %s answers as express alone does', async (method, path) => {
    const go = (a: express.Express) => request(a)[method.toLowerCase() as 'get'](path);
    const [a, b] = await Promise.all([go(direct), go(walked)]);
    expect([a.status, a.headers.allow, a.text]).toEqual([b.status, b.headers.allow, b.text]);
  });
});
