import { Agent, request } from 'node:http';

export interface RawResponse {
  status: number;
  contentType: string;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/**
 * One request with the target sent byte for byte (fetch and supertest normalise `..`, encode
 * `%` and refuse some bodies, which would hide exactly what a fuzzer must send).
 */
export function rawRequest(
  base: string,
  method: string,
  target: string,
  opts: { body?: string | Buffer; contentType?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method,
        path: target,
        timeout: 15_000,
        headers: {
          ...(opts.headers ?? {}),
          ...(body ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': String(body.length) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after 15 s: ${method} ${target.slice(0, 100)}`)));
    req.on('error', reject);
    req.end(body);
  });
}

export const closeAgent = () => agent.destroy();
