import { createTaskHandlers } from 'next-generic-tasks/next';

// Written by `npm run openapi` from the @swagger comments of the app's other routes (app/api/health).
import routesSpec from '../../../../openapi-routes.json';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = createTaskHandlers({ openapi: { merge: routesSpec } });
