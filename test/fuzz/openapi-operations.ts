/** The operations of an OpenAPI 3 document, flattened for the fuzzer (no external library). */

export interface JsonSchema {
  type?: string;
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  example?: unknown;
}

export interface Operation {
  method: string;
  /** OpenAPI template, e.g. `/tenants/{tenant_id}/members`. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** The JSON request body's schema with `$ref`s resolved, or null when the operation takes none. */
  body: JsonSchema | null;
  /** A short name for reports: `POST /tenants/{tenant_id}/members`. */
  id: string;
}

interface OpenApiDoc {
  paths: Record<
    string,
    Record<
      string,
      { parameters?: Array<{ name: string; in: string }>; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }
    >
  >;
  components?: { schemas?: Record<string, JsonSchema> };
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

export function resolveSchema(doc: OpenApiDoc, schema: JsonSchema | undefined, depth = 0): JsonSchema | null {
  if (!schema || depth > 8) return null;
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolveSchema(doc, doc.components?.schemas?.[name], depth + 1);
  }
  const out: JsonSchema = { ...schema };
  if (schema.properties)
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, resolveSchema(doc, v, depth + 1) ?? {}]));
  if (schema.items) out.items = resolveSchema(doc, schema.items, depth + 1) ?? {};
  return out;
}

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const params = op.parameters ?? [];
      const json = op.requestBody?.content?.['application/json'];
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        body: json ? resolveSchema(doc, json.schema) : null,
        id: `${method.toUpperCase()} ${path}`,
      });
    }
  }
  return ops;
}

/** `/tenants/:tenant_id/members` (Express) -> `/tenants/{tenant_id}/members` (OpenAPI). */
export const expressToOpenApi = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
