/** The shapes of dashboard users in the API: the team routes and the session's answer share them. */
import Type from 'typebox';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../passwords.ts';

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('editor'), Type.Literal('viewer')], {
  description: 'viewer: reads everything the dashboard shows; editor: also edits, publishes and tests journeys; admin: also keys, users, providers and settings',
});

export const DashboardUser = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Role,
  disabled: Type.Boolean({ description: 'A disabled user cannot sign in, and its sessions end at once' }),
  createdAt: Type.Integer({ description: 'Epoch milliseconds' }),
  lastSignInAt: Type.Union([Type.Integer(), Type.Null()], { description: 'Epoch milliseconds; null when never' }),
});

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254, description: 'Unique whatever its case' });
export const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH, description: `At least ${MIN_PASSWORD_LENGTH} characters` });
export const Name = Type.String({ minLength: 1, maxLength: 100 });
