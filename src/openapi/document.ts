/**
 * Building the OpenAPI 3.1 document of the registered tasks.
 *
 * @module
 */
import { toAuthenticator } from '../auth/resolve.js';
import { warnOnce } from '../core/logger.js';
import { listRegisteredTasks, type RegisteredTask } from '../core/registry.js';
import { getBasePath, getLogger } from '../settings/settings.js';
import { addParamsSchema, ComponentNames, UnresolvableReferenceError } from './components.js';
import { convertParamsSchema, type ParamsJsonSchema } from './json-schema.js';
import { fragmentComponentNames, fragmentOperationIds, mergeFragment } from './merge.js';
import {
  assertDocumentOptions,
  type BuildOpenApiDocumentOptions,
  type OpenApiDocumentOptions,
  type OpenApiFragment,
} from './options.js';
import { readAppPackageInfo } from './package-info.js';
import { createResponseComponents, operationResponses, type ResponseComponents } from './responses.js';
import { describeTaskSecurity, type TaskSecurity } from './security.js';
import type { JsonObject, OpenApiDocument } from './types.js';

/** The tag of every task operation. */
export const TASKS_TAG = 'tasks';

/**
 * Builds the OpenAPI 3.1 document of every registered task: one `POST {basePath}/{name}`
 * operation per task, with the params schema as the JSON request body, the responses the task
 * endpoint gives, and the security of the task's authenticator. A params schema that cannot be
 * converted to JSON Schema is shown as accepting any JSON, with a note, and logged once.
 *
 * @example
 * ```ts
 * import { buildOpenApiDocument } from 'next-generic-tasks/openapi';
 * import './tasks';
 *
 * const document = await buildOpenApiDocument({ title: 'Acme tasks', version: '1.2.0' });
 * ```
 * @throws {TaskError} `configuration_error` for an invalid option.
 */
export async function buildOpenApiDocument(options: BuildOpenApiDocumentOptions = {}): Promise<OpenApiDocument> {
  assertDocumentOptions(options as Record<string, unknown>);
  if (options.handlerAuth !== undefined) toAuthenticator(options.handlerAuth);

  const tasks = listRegisteredTasks();
  const [info, conversions] = await Promise.all([
    resolveDocumentInfo(options),
    Promise.all(tasks.map((task) => convertParamsSchema(task.schema))),
  ]);

  const builder = new DocumentBuilder(options.merge);
  for (const [index, task] of tasks.entries()) {
    builder.addTask(task, conversions[index] as ParamsJsonSchema, describeTaskSecurity(task.auth, options.handlerAuth));
  }

  const document = builder.document(info, options.servers);
  if (options.merge !== undefined) mergeFragment(document, options.merge);
  return document;
}

/**
 * Resolves the document's `info`: each field from the options, else from the app's package.json,
 * else "Tasks API" and "0.0.0" (and no description).
 */
export async function resolveDocumentInfo(options: OpenApiDocumentOptions): Promise<OpenApiDocument['info']> {
  const manifest = await readAppPackageInfo();
  const info: OpenApiDocument['info'] = {
    title: options.title ?? manifest.name ?? 'Tasks API',
    version: options.version ?? manifest.version ?? '0.0.0',
  };
  const description = options.description ?? manifest.description;
  if (description !== undefined) info.description = description;
  return info;
}

/** Collects the task operations and the components they refer to. */
class DocumentBuilder {
  private readonly basePath = getBasePath();
  private readonly paths: Record<string, JsonObject> = {};
  private readonly schemas: Record<string, unknown> = {};
  private readonly securitySchemes: Record<string, unknown> = {};
  private readonly schemaNames = new ComponentNames();
  private readonly securitySchemeNames = new ComponentNames();
  /** Security scheme names by their definition as JSON, so equal schemes share one name. */
  private readonly securitySchemesByDefinition = new Map<string, string>();
  private readonly operationIds = new Set<string>();
  private readonly responses: ResponseComponents;

  constructor(fragment: OpenApiFragment | undefined) {
    this.schemaNames.reserve(fragmentComponentNames(fragment, 'schemas'));
    this.securitySchemeNames.reserve(fragmentComponentNames(fragment, 'securitySchemes'));
    for (const id of fragmentOperationIds(fragment)) this.operationIds.add(id);
    for (const [name, definition] of Object.entries(fragment?.components?.securitySchemes ?? {})) {
      this.securitySchemesByDefinition.set(JSON.stringify(definition), name);
    }

    const responseNames = new ComponentNames();
    responseNames.reserve(fragmentComponentNames(fragment, 'responses'));
    this.responses = createResponseComponents({ schemas: this.schemaNames, responses: responseNames });
  }

  /** Adds the `POST {basePath}/{name}` operation of one task. */
  addTask(task: RegisteredTask, conversion: ParamsJsonSchema, security: TaskSecurity): void {
    const operationId = this.allocateOperationId(task.name);
    const baseName = operationId.charAt(0).toUpperCase() + operationId.slice(1);
    const params = this.addParams(task.name, baseName, conversion);

    const operation: JsonObject = {
      operationId,
      summary: summaryOf(task),
      tags: [TASKS_TAG],
    };
    const description = [task.description, params.note, security.note].filter(
      (part) => part !== undefined && part !== '',
    );
    if (description.length > 0) operation.description = description.join('\n\n');
    operation.requestBody = {
      description: 'The params of the task, as JSON.',
      required: true,
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${params.name}` } } },
    };
    operation.responses = operationResponses(this.responses, security.responses);

    const requirement = this.securityRequirement(security);
    if (requirement !== undefined) operation.security = requirement;
    this.paths[`${this.basePath}/${task.name}`] = { post: operation };
  }

  /** Returns the document with the operations and components added so far. */
  document(info: OpenApiDocument['info'], servers: BuildOpenApiDocumentOptions['servers']): OpenApiDocument {
    const components: OpenApiDocument['components'] = {
      schemas: { ...this.responses.schemas, ...this.schemas },
      responses: { ...this.responses.responses },
    };
    if (Object.keys(this.securitySchemes).length > 0) components.securitySchemes = { ...this.securitySchemes };

    const document: OpenApiDocument = {
      openapi: '3.1.0',
      info,
      tags: [{ name: TASKS_TAG, description: 'Background tasks. Each call validates its params and runs the task.' }],
      paths: { ...this.paths },
      components,
    };
    if (servers !== undefined && servers.length > 0) document.servers = servers.map((server) => ({ ...server }));
    return document;
  }

  /**
   * Adds the params schema to the components, or, when it cannot be converted, a schema that
   * accepts any JSON, as the handler does before it validates: it parses any JSON body.
   */
  private addParams(taskName: string, baseName: string, conversion: ParamsJsonSchema): { name: string; note?: string } {
    let reason: string;
    if (conversion.ok) {
      try {
        return { name: addParamsSchema(this.schemas, this.schemaNames, baseName, conversion.schema) };
      } catch (error) {
        if (!(error instanceof UnresolvableReferenceError)) throw error;
        reason = error.message;
      }
    } else {
      reason = conversion.reason;
    }

    if (conversion.ok || conversion.logged !== true) {
      warnOnce(
        getLogger(),
        `openapi-schema-fallback:${taskName}:${reason}`,
        `the params schema of task "${taskName}" cannot be converted to JSON Schema (${reason}); ` +
          'the OpenAPI document shows its request body as accepting every JSON value',
        { task: taskName, reason },
      );
    }
    const note =
      `The params schema cannot be shown as JSON Schema (${reason}), so the request body is shown as accepting every JSON value. ` +
      'The endpoint still validates the params and rejects invalid ones with 422.';
    const name = this.schemaNames.allocate(`${baseName}Params`);
    this.schemas[name] = { description: note };
    return { name, note };
  }

  private securityRequirement(security: TaskSecurity): Array<Record<string, string[]>> | undefined {
    if (security.kind === 'none') return [];
    if (security.scheme === undefined) return undefined;

    const key = JSON.stringify(security.scheme.definition);
    let name = this.securitySchemesByDefinition.get(key);
    if (name === undefined) {
      name = this.securitySchemeNames.allocate(security.scheme.preferredName);
      this.securitySchemesByDefinition.set(key, name);
    }
    // A scheme the merged fragment defines with the same definition is merged in later under its name.
    if (!this.securitySchemeNames.isReserved(name)) this.securitySchemes[name] = security.scheme.definition;
    return [{ [name]: [] }];
  }

  /** Turns a task name into a unique identifier: `send-email` becomes `sendEmail`. */
  private allocateOperationId(taskName: string): string {
    let base = taskName.replace(/-+([A-Za-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
    base = base.replace(/[^A-Za-z0-9_]/g, '_');
    if (/^[0-9]/.test(base)) base = `task${base}`;

    let id = base;
    for (let suffix = 2; this.operationIds.has(id); suffix += 1) id = `${base}${suffix}`;
    this.operationIds.add(id);
    return id;
  }
}

/** Returns the first sentence of the task's description, or a phrase naming the task. */
function summaryOf(task: RegisteredTask): string {
  const description = task.description?.trim();
  if (description === undefined || description === '') return `Run the ${task.name} task`;

  const firstSentence = /^.*?[.!?](?=\s|$)/s.exec(description)?.[0] ?? description;
  return firstSentence.replace(/\s+/g, ' ');
}
