import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { ALL_JOBS } from '../../jobs/all-jobs.ts';
import { listLastJobRuns } from '../../jobs/job-runs.ts';
import { problemResponses } from '../schemas.ts';

const JobRunSchema = Type.Object(
  {
    jobName: Type.String(),
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.String({ format: 'date-time' }),
    status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
    durationMs: Type.Integer({ minimum: 0 }),
    counts: Type.Record(Type.String(), Type.Number()),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export async function adminJobRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = options;

  app.get(
    '/api/v1/admin/jobs',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'Last run of each background job (times, duration in milliseconds, counts, the error of a failed run), and the jobs that have not run yet',
        response: {
          200: Type.Object(
            {
              items: Type.Array(JobRunSchema),
              neverRun: Type.Array(Type.String(), { description: 'Names of the jobs this portal runs that have no recorded run yet.' }),
            },
            { additionalProperties: false },
          ),
          ...problemResponses(401, 403),
        },
      },
    },
    async () => {
      const items = await listLastJobRuns(db);
      const ran = new Set(items.map((item) => item.jobName));
      return { items, neverRun: ALL_JOBS.map((job) => job.name).filter((name) => !ran.has(name)) };
    },
  );
}
