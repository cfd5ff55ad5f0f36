/**
 * The read models' shapes: journey stats, series and backtests, and a user's explanation. The API serves them
 * as they are (its schemas re-export these, so they are in the OpenAPI document), and the CLI and simulate
 * print them.
 */
import Type, { type Static, type TSchema } from 'typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

// ---------------------------------------------------------------- journey stats

const Totals = Type.Object({
  qualified: Type.Integer(),
  entered: Type.Integer({ description: 'Qualified and not held out' }),
  control: Type.Integer({ description: 'Qualified and held out in the control group' }),
  notQualified: Type.Integer({ description: 'The inaction trigger’s negative event came inside the window' }),
  goal: Type.Integer({ description: 'Conversions of users who entered' }),
  controlGoal: Type.Integer({ description: 'Conversions of control users' }),
  timedOut: Type.Integer(),
  completed: Type.Integer(),
  stopped: Type.Integer(),
  merged: Type.Integer({ description: 'Passes that left because their user was merged with another already in the journey (the later pass leaves)' }),
  inJourneyNow: Type.Integer({ description: 'Entered users in the journey at this moment (active instances), not counting pending or control ones' }),
});
const NodeStats = Type.Object({
  nodeId: Type.String(),
  kind: Type.String(),
  entered: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  skipped: Type.Integer(),
  skippedBy: Type.Record(Type.String(), Type.Integer(), {
    description: 'Skips by reason (no_phone, no_email, no_push_token, dnd, frequency_cap); skips recorded before reasons were counted are in `skipped` only',
  }),
  opened: Type.Integer({ description: 'Messages of a send node opened by their recipient (first opens; a click counts as an open too): see docs/channels.md, "Engagement tracking"' }),
  clicked: Type.Integer({ description: 'Messages of a send node clicked by their recipient (first clicks)' }),
  missed: Type.Integer({ description: 'Delays until a date property that was missing or already past' }),
  goal: Type.Integer({ description: 'Conversions while waiting at this node' }),
  waiting: Type.Integer({ description: 'Users at this node at this moment: waiting out a delay, for an event, or for the end of do-not-disturb hours' }),
});
const Rate = Nullable(Type.Number({ description: 'converted / users, null when there are none' }));

export const StatsView = Type.Object({
  journeyId: Type.String(),
  versions: Type.Array(Type.Integer()),
  totals: Totals,
  conversion: Type.Object({
    target: Type.Object({ entered: Type.Integer(), converted: Type.Integer(), rate: Rate }),
    control: Type.Object({ users: Type.Integer(), converted: Type.Integer(), rate: Rate }),
    uplift: Nullable(Type.Number({ description: 'Relative: (target rate - control rate) / control rate; null without a control conversion rate' })),
    significance: Nullable(
      Type.Object(
        {
          z: Type.Number({ description: 'Two-proportion z statistic of the target rate against the control rate (pooled standard error); positive when the target converts better' }),
          pValue: Type.Number({ description: 'Two-sided p-value, 4 significant digits' }),
          significant: Type.Boolean({ description: 'pValue below 0.05 (judged before rounding)' }),
        },
        { description: 'Whether the gap between the rates is more than chance; null when either group is empty or nobody or everybody converted' },
      ),
    ),
  }),
  nodes: Type.Array(NodeStats, { description: 'In the order of the newest version’s definition; nodes only older versions had come last' }),
  byVersion: Type.Record(Type.String(), Type.Object({ totals: Totals, nodes: Type.Array(NodeStats) })),
});
export type StatsView = Static<typeof StatsView>;

// ---------------------------------------------------------------- journey series

export const SeriesBucket = Type.Object({
  start: Type.String({ description: 'The local day or hour the bucket is, as ISO 8601 with the time zone’s offset' }),
  entered: Type.Integer({ description: 'Users who entered in it (not held out)' }),
  goal: Type.Integer({ description: 'Conversions in it of users who had entered, whenever they entered' }),
  control: Type.Integer({ description: 'Users held out in the control group in it' }),
  controlGoal: Type.Integer({ description: 'Conversions in it of control users' }),
});

export const SeriesView = Type.Object({
  journeyId: Type.String(),
  timezone: Type.String({ description: 'The project’s time zone, whose days and hours the buckets are' }),
  bucket: Type.Union([Type.Literal('day'), Type.Literal('hour')]),
  from: Type.String({ description: 'The first bucket’s start' }),
  to: Type.String({ description: 'The last bucket’s end (the current day or hour is the last bucket)' }),
  buckets: Type.Array(SeriesBucket, { description: 'Oldest first, every bucket present, zeros included' }),
});
export type SeriesView = Static<typeof SeriesView>;

// ---------------------------------------------------------------- backtest

export const BacktestView = Type.Object({
  journeyId: Type.String(),
  from: Type.String({ description: 'The replayed window’s start (ISO 8601, UTC): `days` days before the request' }),
  to: Type.String({ description: 'Its end: the moment of the request. The replay stops there: users still waiting then are in `stats` as waiting' }),
  events: Type.Integer({ description: 'Events replayed: those received and timestamped in the window, but the journeys’ own internal entries' }),
  users: Type.Integer({ description: 'Distinct users of those events' }),
  profiles: Type.Integer({ description: 'Their profiles, as stored now, that the replay used' }),
  truncated: Type.Boolean({ description: 'True when the window held more than `maxEvents` events (internal entries included): only the first `maxEvents` received were read' }),
  maxEvents: Type.Integer(),
  stats: StatsView,
});
export type BacktestView = Static<typeof BacktestView>;

// ---------------------------------------------------------------- explain

export const Outcome = Type.Union([Type.Literal('sent'), Type.Literal('skipped'), Type.Literal('failed'), Type.Literal('pending'), Type.Literal('not_reached')]);

export const ExplainStep = Type.Object({
  nodeId: Type.String(),
  channel: Type.String(),
  outcome: Outcome,
  at: Nullable(Type.String({ description: 'ISO time of the send or skip' })),
  reason: Nullable(Type.String({ description: 'Machine-readable reason, e.g. no_phone, dnd, goal, not_qualified' })),
  detail: Type.String({ description: 'The answer, in a sentence' }),
});

export const ExplainInstance = Type.Object({
  journeyId: Type.String(),
  version: Type.Integer(),
  instanceId: Type.String(),
  status: Type.String(),
  enteredAt: Nullable(Type.String()),
  exit: Nullable(Type.Object({ reason: Type.String(), at: Type.String(), nodeId: Nullable(Type.String()), goalId: Type.Optional(Type.String()) })),
  summary: Type.String(),
  steps: Type.Array(ExplainStep, { description: 'One line per send node of the version (per message, if a node sent several)' }),
});

export const ExplainResult = Type.Object({
  userId: Type.String(),
  journeys: Type.Array(ExplainInstance, { description: 'Newest first' }),
  notes: Type.Array(Type.String(), { description: 'Why a journey asked about has no instance, if so' }),
});
export type ExplainResult = Static<typeof ExplainResult>;
