/**
 * The production compose file cannot be started here (no Docker engine), so its promises are
 * checked as text: pinned images, restart policies, health checks, the app waiting for healthy
 * stores, and the host URL of MongoDB that a client outside the compose network needs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
interface Service {
  image?: string;
  build?: unknown;
  restart?: string;
  healthcheck?: { test?: unknown };
  depends_on?: Record<string, { condition?: string }>;
  profiles?: string[];
  environment?: Record<string, string>;
}
const compose = load(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const services = Object.entries(compose.services);

describe('docker-compose.yml', () => {
  it('pins every image to a version', () => {
    for (const [name, s] of services) {
      if (!s.image) continue;
      const tag = s.image.split('/').pop()!.split(':')[1];
      expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(/^v?\d+\.\d+(\.\d+)?/) });
    }
  });

  it('restarts every service unless stopped and gives each a health check', () => {
    for (const [name, s] of services) {
      expect({ name, restart: s.restart }).toEqual({ name, restart: 'unless-stopped' });
      expect({ name, healthcheck: Boolean(s.healthcheck?.test) }).toEqual({ name, healthcheck: true });
    }
  });

  it('starts the app only when its stores are healthy', () => {
    const app = compose.services.app!;
    for (const dep of ['kurrentdb', 'mongo', 'redis', 'mailpit']) expect(app.depends_on?.[dep]?.condition).toBe('service_healthy');
    expect(app.environment?.MONGO_URL).toMatch(/replicaSet=rs0/);
  });

  it('documents the host URL of the replica set with directConnection=true', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain('mongodb://localhost:27017/?replicaSet=rs0&directConnection=true');
    expect(readme).not.toMatch(/mongodb:\/\/localhost:27017\/\?replicaSet=rs0(?!&directConnection=true)/);
  });
});
