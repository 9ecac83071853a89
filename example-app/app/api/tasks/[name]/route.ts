import { basicAuth } from 'next-generic-tasks';
import { createTaskHandlers } from 'next-generic-tasks/next';

// Written by `npm run openapi` from the @swagger comments of the app's other routes (app/api/health).
import routesSpec from '../../../../openapi-routes.json';

// The docs page and document take the demo basic-auth credentials in both modes of the example, also
// under `npm run example:cloud-tasks`, where the task endpoints accept only OIDC tokens.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = createTaskHandlers({
  openapi: { merge: routesSpec, auth: basicAuth() },
});
