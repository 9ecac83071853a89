import { createTaskHandlers } from 'next-generic-tasks/next';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = createTaskHandlers();
