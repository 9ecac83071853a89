/**
 * The responses of a task endpoint as OpenAPI components. They follow src/http/responses.ts (the
 * error body), src/http/status.ts (the status of each code) and src/http/handler.ts (which codes a
 * task call can fail with).
 *
 * @module
 */
import type { TaskErrorCode } from '../core/errors.js';
import { STATUS_BY_CODE } from '../http/status.js';
import type { ComponentNames } from './components.js';
import type { JsonObject } from './types.js';

/** Flags for the authentication responses an operation lists, beyond those every task call can give. */
export interface AuthResponses {
  /** 401 with `WWW-Authenticate`: every authenticator but `none`, and no authenticator at all. */
  readonly unauthorized: boolean;
  /** 403: authenticators that can tell valid credentials without permission (OIDC, custom objects). */
  readonly forbidden: boolean;
  /** 503 with `Retry-After`: authenticators that depend on a key server (OIDC, custom objects). */
  readonly unavailable: boolean;
}

/** The names under which the shared schemas and responses were added to the components. */
export interface ResponseComponents {
  readonly schemas: Record<string, unknown>;
  readonly responses: Record<string, unknown>;
  /** The component response name for each error status. */
  readonly responseNames: Readonly<Record<ErrorStatus, string>>;
  /** The component schema name of the 200 body. */
  readonly resultName: string;
}

type ErrorStatus = '400' | '401' | '403' | '404' | '413' | '415' | '422' | '500' | '503';

/** Each error response a task call can give: its codes, and what it means for the caller. */
const ERROR_RESPONSES: Record<ErrorStatus, { name: string; codes: TaskErrorCode[]; description: string }> = {
  '400': {
    name: 'InvalidJson',
    codes: ['invalid_json'],
    description: 'The body is empty, not UTF-8, or not JSON (`invalid_json`).',
  },
  '401': {
    name: 'Unauthorized',
    codes: ['unauthorized'],
    description:
      'The credentials are missing or wrong, or no authentication is configured on the server (`unauthorized`).',
  },
  '403': {
    name: 'Forbidden',
    codes: ['forbidden'],
    description: 'The credentials are valid but may not call this task (`forbidden`).',
  },
  '404': {
    name: 'TaskNotFound',
    codes: ['task_not_found'],
    description: 'No task of this name is registered in the server process (`task_not_found`).',
  },
  '413': {
    name: 'PayloadTooLarge',
    codes: ['payload_too_large'],
    description: 'The body is larger than the `maxBodyBytes` limit, 1 MiB by default (`payload_too_large`).',
  },
  '415': {
    name: 'UnsupportedMediaType',
    codes: ['unsupported_media_type'],
    description: 'The `Content-Type` is not JSON in UTF-8 (`unsupported_media_type`).',
  },
  '422': {
    name: 'InvalidParams',
    codes: ['invalid_params'],
    description: 'The params do not match the schema; `issues` lists each problem with its path (`invalid_params`).',
  },
  '500': {
    name: 'TaskFailed',
    codes: ['task_failed', 'internal_error', 'configuration_error'],
    description:
      'The task threw (`task_failed`, with the run id in `taskId`), its result is not JSON (`internal_error`), ' +
      'or the server is misconfigured (`configuration_error`). Details are in the server log only.',
  },
  '503': {
    name: 'AuthUnavailable',
    codes: ['auth_unavailable'],
    description:
      'The credentials cannot be checked right now, for example because the key server is down (`auth_unavailable`).',
  },
};

/** Seconds in the `Retry-After` header of a 503; src/http/authenticate.ts sends the same value. */
const RETRY_AFTER_EXAMPLE = 10;

/**
 * Builds the error schema, the 200 body schema and one response per error status, named by the
 * allocators of `components.schemas` and `components.responses`.
 */
export function createResponseComponents(names: {
  schemas: ComponentNames;
  responses: ComponentNames;
}): ResponseComponents {
  const issueName = names.schemas.allocate('ValidationIssue');
  const errorName = names.schemas.allocate('TaskErrorResponse');
  const resultName = names.schemas.allocate('TaskRunResponse');
  const schemas: Record<string, unknown> = {
    [issueName]: validationIssueSchema(),
    [errorName]: errorBodySchema(issueName),
    [resultName]: runResponseSchema(),
  };

  const responses: Record<string, unknown> = {};
  const responseNames = {} as Record<ErrorStatus, string>;
  for (const [status, response] of Object.entries(ERROR_RESPONSES) as Array<
    [ErrorStatus, (typeof ERROR_RESPONSES)[ErrorStatus]]
  >) {
    const name = names.responses.allocate(response.name);
    responseNames[status] = name;
    responses[name] = errorResponse(status, response.codes, response.description, errorName);
  }

  return { schemas, responses, responseNames, resultName };
}

/** Builds the Responses Object of one task operation. */
export function operationResponses(components: ResponseComponents, auth: AuthResponses): JsonObject {
  const reference = (status: ErrorStatus) => ({ $ref: `#/components/responses/${components.responseNames[status]}` });
  const responses: JsonObject = {
    '200': {
      description: 'The task ran; `result` is the value its `run` function returned, as JSON.',
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${components.resultName}` } } },
    },
    '400': reference('400'),
  };
  if (auth.unauthorized) responses['401'] = reference('401');
  if (auth.forbidden) responses['403'] = reference('403');
  responses['404'] = reference('404');
  responses['413'] = reference('413');
  responses['415'] = reference('415');
  responses['422'] = reference('422');
  responses['500'] = reference('500');
  if (auth.unavailable) responses['503'] = reference('503');
  return responses;
}

/** Builds the schema of the error body of src/http/responses.ts: `{ "error": { "code", "message", "issues"?, "taskId"? } }`. */
function errorBodySchema(issueName: string): JsonObject {
  return {
    type: 'object',
    description: 'The body of every failed call.',
    properties: {
      error: {
        type: 'object',
        properties: {
          code: {
            type: 'string',
            enum: Object.keys(STATUS_BY_CODE),
            description: 'A stable machine-readable reason; the HTTP status follows from it.',
          },
          message: { type: 'string', description: 'What went wrong and how to fix it, for people.' },
          issues: {
            type: 'array',
            items: { $ref: `#/components/schemas/${issueName}` },
            description: 'Each problem the schema found, on `invalid_params` errors only.',
          },
          taskId: { type: 'string', description: 'The id of the task run, on `task_failed` errors.' },
        },
        required: ['code', 'message'],
        additionalProperties: false,
      },
    },
    required: ['error'],
    additionalProperties: false,
  };
}

function validationIssueSchema(): JsonObject {
  return {
    type: 'object',
    description: 'One problem found by the params schema.',
    properties: {
      path: {
        type: 'array',
        items: { type: ['string', 'integer'] },
        description: 'Keys and array indexes from the root of the params to the invalid value; empty for the root.',
      },
      message: { type: 'string', description: "The validator's message." },
    },
    required: ['path', 'message'],
    additionalProperties: false,
  };
}

function runResponseSchema(): JsonObject {
  return {
    type: 'object',
    description: 'The body of a successful call.',
    properties: {
      id: {
        type: 'string',
        description: 'The id of this run: a random UUID, or the queue task id when a trusted queue delivered the call.',
      },
      result: { description: "The task's return value as JSON; `null` when it returned nothing." },
    },
    required: ['id', 'result'],
    additionalProperties: false,
  };
}

/**
 * Builds one error Response Object. Its schema is the shared error schema with `code` narrowed to
 * the codes of this status, and `issues` required on 422.
 */
function errorResponse(
  status: ErrorStatus,
  codes: TaskErrorCode[],
  description: string,
  errorName: string,
): JsonObject {
  const narrowed: JsonObject = { type: 'object', properties: { code: { enum: codes } } };
  if (status === '422') {
    // The handler sends `issues` only when it has at least one.
    narrowed.properties = { code: { enum: codes }, issues: { type: 'array', minItems: 1 } };
    narrowed.required = ['issues'];
  }

  const response: JsonObject = {
    description,
    content: {
      'application/json': {
        schema: {
          allOf: [{ $ref: `#/components/schemas/${errorName}` }, { type: 'object', properties: { error: narrowed } }],
        },
      },
    },
  };
  if (status === '401') {
    response.headers = {
      'WWW-Authenticate': {
        description: 'The authentication scheme to use, for example `Basic realm="tasks", charset="UTF-8"`.',
        required: true,
        schema: { type: 'string' },
      },
    };
  }
  if (status === '503') {
    response.headers = {
      'Retry-After': {
        description: 'Seconds to wait before calling again.',
        schema: { type: 'integer', examples: [RETRY_AFTER_EXAMPLE] },
      },
    };
  }
  return response;
}
