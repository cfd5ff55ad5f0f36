/** A send node's message tried before publishing: previewed for a user or sample data, and test-sent once. */
import Type, { type Static } from 'typebox';
import { NodePreviewResult, NoProviderError, NotMessageError, previewNode, testSend, TestSendRefused, TestSendResult } from '../../app/node-preview.ts';
import type { Api, RouteContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { EventInput, MAX_ID, Traits, withErrors } from '../schemas.ts';

const NodeParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), node: Type.String({ minLength: 1, maxLength: 200 }) });

const Sample = Type.Object(
  {
    traits: Type.Optional(Traits),
    event: Type.Optional(
      Type.Object({ name: Type.Optional(EventInput.properties.event), properties: EventInput.properties.properties }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false, description: 'Data to render with in place of a real user: traits as Profile, an event as Event and EventName' },
);

const previewFields = {
  version: Type.Optional(Type.Integer({ minimum: 1, description: 'A published version of the journey; default: its draft' })),
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_ID, description: 'A real user: their profile as Profile and their latest event as Event' })),
  sample: Type.Optional(Sample),
};

const PreviewBody = Type.Object(previewFields, { additionalProperties: false });
const TestSendBody = Type.Object(
  { ...previewFields, to: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Where to send it: an email address, phone number or push token (not for webhooks, which go to their URL)' })) },
  { additionalProperties: false },
);

function oneSource(body: Static<typeof PreviewBody>): void {
  if (body.userId !== undefined && body.sample !== undefined) {
    throw new ApiError(400, 'give userId or sample, not both', [{ path: '/sample', message: 'give userId or sample, not both' }]);
  }
}

/** The app's errors as the API's: not a send node is the caller's mistake, no provider a conflict with the settings. */
async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NotMessageError) throw new ApiError(400, error.message, [{ path: '/node', message: error.message }]);
    if (error instanceof NoProviderError) throw new ApiError(409, error.message);
    if (error instanceof TestSendRefused) throw new ApiError(400, `nothing was sent: ${error.message}`, error.problems);
    throw error;
  }
}

export function nodePreviewRoutes(app: Api, _context: RouteContext): void {
  app.post(
    '/v1/journeys/:id/nodes/:node/preview',
    {
      config: { access: 'edit' },
      schema: {
        tags: ['journeys'],
        summary: "Render a send node's message for a user or sample data",
        description:
          "The node's message from the draft (or `version`), rendered by the send step's own sandboxed Liquid for a real user (`userId`: their profile and latest event) or for `sample` data. " +
          'Lists the Profile and Event names the templates read that this user or sample does not have. A template that fails is a problem naming its field; a node that is not a send node is a 400.',
        params: NodeParams,
        body: PreviewBody,
        response: withErrors({ 200: NodePreviewResult }, 400, 404),
      },
    },
    async (request) => {
      const { waymark } = request;
      oneSource(request.body);
      const { id, node } = request.params;
      return answering(() => previewNode(waymark.store, { journeyId: id, nodeId: node, ...request.body }));
    },
  );

  app.post(
    '/v1/journeys/:id/nodes/:node/test-send',
    {
      config: { access: 'edit' },
      schema: {
        tags: ['journeys'],
        summary: "Send a node's message once, to an address of yours, through the real provider",
        description:
          'Rendered as the preview renders it, then handed to the channel\'s provider once (no retries) under a fresh `test-` id. It is no journey\'s message: not in the message log, not in the stats, counted by no frequency cap. ' +
          '409 when the channel has no provider set (the built-in outbox sends nothing anywhere); 400, and nothing sent, when a template fails or `to` is missing.',
        params: NodeParams,
        body: TestSendBody,
        response: withErrors({ 200: TestSendResult }, 400, 404, 409),
      },
    },
    async (request) => {
      const { waymark } = request;
      oneSource(request.body);
      const { id, node } = request.params;
      return answering(() => testSend(waymark.store, { journeyId: id, nodeId: node, ...request.body, now: waymark.engine.clock.now() }));
    },
  );
}
