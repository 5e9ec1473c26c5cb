import { Type } from 'typebox';

/** The problem+json body every error response has; listed in the OpenAPI document for each route. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    code: Type.String({ description: 'Stable error code; see docs/api-errors.md.' }),
    status: Type.Integer(),
    title: Type.String(),
    detail: Type.String(),
    instance: Type.String(),
    requestId: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), code: Type.String(), message: Type.String() })),
    ),
  },
  { $id: 'Problem', description: 'application/problem+json (RFC 9457) with a stable code and localized text.' },
);

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, Type.Ref('Problem')]));

export const Uuid = Type.String({ format: 'uuid' });
