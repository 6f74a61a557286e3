import type { ApiErrorCode, FieldIssue } from '../contract/result';

/** An error whose message is meant for the user, with the code it maps to at the boundary. */
export class ServiceError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const notFound = (what: string, id: string) => new ServiceError('not_found', `${what} ${id} does not exist`);
