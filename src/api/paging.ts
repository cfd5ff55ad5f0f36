/** Paging of the lists that grow without bound (a user's journeys, the journeys, a journey's versions). */
import Type from 'typebox';
import { InvalidCursorError } from '../store/pages.ts';
import { badRequest } from './errors.ts';

/** `limit` items (default 50, at most 500) from `cursor` on. */
export const PagingQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2_000, description: 'The `nextCursor` of the previous page (opaque)' })),
});

export const NextCursor = Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page' });

/** Reads a page; a cursor the list did not hand out is the client's mistake: 400 naming it. */
export async function paged<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw badRequest([{ path: '/cursor', message: error.message }], 'query string');
    throw error;
  }
}
