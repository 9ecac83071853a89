// A route of the app's own, next to the task route. Its @swagger comment is read at build time by
// `npm run openapi` (next-generic-tasks openapi), which writes openapi-routes.json for the task
// route to merge into its OpenAPI document and docs page.

/**
 * @swagger
 * /api/health:
 *   get:
 *     summary: Reports that the app is up.
 *     description: Needs no authentication, so load balancers and uptime checks can call it.
 *     tags: [app]
 *     operationId: getHealth
 *     responses:
 *       200:
 *         description: The app is up.
 *         content:
 *           application/json:
 *             schema:
 *               type: object
 *               properties:
 *                 ok:
 *                   type: boolean
 *                   const: true
 *               required: [ok]
 */
export function GET(): Response {
  return Response.json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
}
