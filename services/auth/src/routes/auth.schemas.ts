// The public shapes of Auth's API (docs/design.md §4): one schema each for validation, serialization,
// the OpenAPI document and the TypeScript type.
import { Type, type Static } from '@sinclair/typebox';
import { Timestamp, Uuid } from '@minishop/kit/schemas';

export const Username = Type.String({
  minLength: 3,
  maxLength: 32,
  pattern: '^[a-zA-Z0-9_.-]+$',
  description: '3–32 letters, digits, _ . -',
});
export const Password = Type.String({ minLength: 8, maxLength: 128 });

export const RegisterBody = Type.Object(
  { username: Username, email: Type.String({ format: 'email', maxLength: 254 }), password: Password },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object(
  {
    // No control characters: they can never match an account (PostgreSQL text cannot hold NUL).
    username: Type.String({
      minLength: 1,
      maxLength: 254,
      pattern: '^[^\\u0000-\\u001f]+$',
      description: 'username or email',
    }),
    password: Type.String({ minLength: 1, maxLength: 128 }),
    grant_type: Type.Optional(Type.Literal('password', { description: 'OAuth2 password form' })),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const RefreshBody = Type.Object(
  {
    refresh_token: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 512,
        description: 'required, except from the web app, whose refresh token is in its session cookie',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RefreshBody = Static<typeof RefreshBody>;

export const LogoutBody = Type.Object(
  { refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })) },
  { additionalProperties: false },
);
export type LogoutBody = Static<typeof LogoutBody>;

export const ClientCredentialsBody = Type.Object(
  {
    grant_type: Type.Literal('client_credentials'),
    client_id: Type.String({ minLength: 1, maxLength: 64 }),
    client_secret: Type.String({ minLength: 1, maxLength: 256 }),
    scope: Type.Optional(
      Type.String({ maxLength: 1024, description: 'space-separated subset of the client scopes' }),
    ),
  },
  { additionalProperties: false },
);
export type ClientCredentialsBody = Static<typeof ClientCredentialsBody>;

// Control characters never occur in a token (and PostgreSQL text cannot hold NUL): refused as input.
const VerificationToken = Type.String({ minLength: 1, maxLength: 512, pattern: '^[^\\u0000-\\u001f]+$' });

export const VerifyEmailQuery = Type.Object({ token: VerificationToken }, { additionalProperties: false });

export const VerifyEmailBody = Type.Object({ token: VerificationToken }, { additionalProperties: false });
export type VerifyEmailBody = Static<typeof VerifyEmailBody>;

export const WebClientHeaders = Type.Object({
  'x-minishop-client': Type.Optional(
    Type.String({
      maxLength: 32,
      description:
        '`web` from the web app: the refresh token then travels in an HttpOnly cookie instead of the body',
    }),
  ),
});

export const UserResponse = Type.Object({
  id: Uuid,
  username: Type.String(),
  email: Type.String(),
  email_verified: Type.Boolean(),
  role: Type.Union([Type.Literal('customer'), Type.Literal('admin')]),
  created_at: Timestamp,
});

export const AccessTokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer({ description: 'seconds until the access token expires' }),
  refresh_token: Type.Optional(
    Type.String({ description: 'absent for the web app, which gets it as an HttpOnly cookie' }),
  ),
});

export const ServiceTokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
});

export const Jwks = Type.Object({
  keys: Type.Array(
    Type.Object({
      kty: Type.String(),
      crv: Type.String(),
      x: Type.String(),
      kid: Type.String(),
      alg: Type.String(),
      use: Type.String(),
    }),
  ),
});
