import 'reflect-metadata';
import { ValidationPipe, type INestApplication, type Type, type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type Request, type Response } from 'express';
import helmet from 'helmet';
import { ALL_PROJECTIONS } from '../projections/registry.js';
import type { AppConfig } from './config/config.js';
import type { ProjectionDefinition } from './projections-runtime/projection.js';
import { SystemClock, type Clock } from './shared/clock.js';
import { PinoNestLogger } from './shared/logger.js';
import { ProblemFilter } from './shared/problem.filter.js';
import { requestContext } from './shared/request-context.js';
import { requestPipeline } from './shared/request-pipeline.js';
import { fixedHeaders } from './shared/security-headers.js';
import { StaticRoutes } from './shared/static-routes.js';
import { SpineModule } from './spine.module.js';
import { webApp, webAppPath } from './web-app/serve-web-app.js';
import { FEATURE_MODULES } from './features.js';

export interface CreateAppOptions {
  config: AppConfig;
  clock?: Clock;
  /** Test-only modules and projections (e.g. the spine's test aggregate). */
  extraModules?: Array<Type<unknown> | DynamicModule>;
  extraProjections?: readonly ProjectionDefinition[];
  /** False for the CLI: no reactors, no job workers. */
  runWorkers?: boolean;
}

/**
 * Answers 202 when a command's read models were not ready within the bounded wait. In the
 * adapter's reply, where an interceptor's map over the handler's result ran before: a global
 * interceptor makes Nest run every request of every route through rxjs (a ReplaySubject, a
 * deferred pipe, a disconnect watch and lastValueFrom per request).
 */
class AppExpressAdapter extends ExpressAdapter {
  override reply(response: Response, body: unknown, statusCode?: number) {
    if (requestContext.getStore()?.consistency_pending) response.status(202).setHeader('X-Consistency', 'pending');
    return super.reply(response, body, statusCode);
  }
}

export async function createApp(options: CreateAppOptions): Promise<INestApplication> {
  const clock = options.clock ?? new SystemClock();

  @Module({
    imports: [
      SpineModule.forRoot({
        config: options.config,
        runWorkers: options.runWorkers,
        clock,
        projections: [...ALL_PROJECTIONS, ...(options.extraProjections ?? [])],
      }),
      ...FEATURE_MODULES,
      ...(options.extraModules ?? []),
    ],
  })
  class AppModule {}

  const app = await NestFactory.create(AppModule, new AppExpressAdapter(), {
    bodyParser: false,
    logger: new PinoNestLogger(),
    abortOnError: false,
  });
  const http = app.getHttpAdapter().getInstance() as express.Express;
  // TRUST_PROXY (default off): never take the client address from a header the client controls
  http.set('trust proxy', options.config.trustProxy);
  http.disable('x-powered-by');

  // helmet's strict defaults (script-src 'self', no inline script); images may also come from https:
  // hosts, since a chain's white-label logo and icon are https URLs of its own (F02.09.05)
  const headers = fixedHeaders(helmet({ contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:', 'https:'] } } }));
  const parsers = [
    express.json({
      limit: '100kb',
      type: ['application/json', 'application/*+json'],
      // Stripe signs the exact bytes: its webhook keeps them (only there)
      verify: (req, _res, buf) => {
        if (req.url?.startsWith('/webhooks/stripe')) (req as Request & { rawBody?: Buffer }).rawBody = Buffer.from(buf);
      },
    }),
    // 46elks posts its delivery reports as forms
    express.urlencoded({ extended: false, limit: '100kb' }),
  ];
  const routes = new StaticRoutes();
  const pipeline = requestPipeline({
    headers,
    parsers,
    webApp: webApp(),
    isWebApp: webAppPath,
    route: (req, res, next) => routes.dispatch(req, res, next),
  });
  app.use(pipeline);

  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();

  const doc = new DocumentBuilder()
    .setTitle('Petanque Life security & tenancy API')
    .setDescription('Event-sourced MFA, sessions and audit. Every security fact is an immutable event.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: 'docs-json' });

  await app.init();
  routes.build(http.router.stack as never, pipeline);
  return app;
}
