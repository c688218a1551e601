// Account: sign in (username or email), register (then signed in at once), and the account page
// with the email's verification state and sign out. After signing in the shopper returns to the
// page that asked for it (`?next=`), which must be a path of this app.
import { useMutation } from '@tanstack/react-query';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import { useMe } from '../api/queries.ts';
import { signIn, signOut, useSession } from '../auth/session.ts';
import { ActionButton, FormSubmit, Notice, QueryState } from '../components/feedback.tsx';
import { Fields, type FieldSpec } from '../components/field.tsx';
import { Page } from '../components/page.tsx';
import { useFormMutation } from '../forms/use-form-mutation.ts';
import {
  type Validator,
  validateRegister,
  validateSignIn,
  type RegisterValues,
  type SignInValues,
} from '../forms/validation.ts';
import { pathTo } from '../routes.ts';

const SIGN_IN_FIELDS: FieldSpec<keyof SignInValues>[] = [
  { name: 'username', label: 'Username or email', autoComplete: 'username', required: true },
  { name: 'password', label: 'Password', type: 'password', autoComplete: 'current-password', required: true },
];

const REGISTER_FIELDS: FieldSpec<keyof RegisterValues>[] = [
  {
    name: 'username',
    label: 'Username',
    hint: '3 to 32 letters, digits, dots, dashes or underscores',
    autoComplete: 'username',
    required: true,
  },
  { name: 'email', label: 'Email', type: 'email', autoComplete: 'email', required: true },
  {
    name: 'password',
    label: 'Password',
    type: 'password',
    hint: 'At least 8 characters; a phrase of a few words works well',
    autoComplete: 'new-password',
    required: true,
  },
];

export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

function useReturn(): [string, () => void] {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));
  return [next, () => navigate(next, { replace: true })];
}

function AccountForm<T extends Record<string, string>>(props: {
  title: string;
  initial: T;
  validate: Validator<T>;
  specs: FieldSpec<keyof T & string>[];
  send: (values: T) => Promise<unknown>;
  labels: { submit: string; busy: string; failed: string };
  other: { question: string; page: 'signIn' | 'register'; link: string };
}) {
  const [next, goBack] = useReturn();
  const { form, mutation, onSubmit } = useFormMutation({ ...props, onSuccess: goBack });
  return (
    <Page title={props.title} narrow>
      <form className="stack-form" noValidate onSubmit={onSubmit}>
        <Fields specs={props.specs} field={form.field} />
        <FormSubmit
          mutation={mutation}
          errorTitle={props.labels.failed}
          label={props.labels.submit}
          busyLabel={props.labels.busy}
        />
      </form>
      <p>
        {props.other.question}{' '}
        <Link to={`${pathTo(props.other.page)}?next=${encodeURIComponent(next)}`}>{props.other.link}</Link>
      </p>
    </Page>
  );
}

export function SignInPage() {
  return (
    <AccountForm<SignInValues>
      title="Sign in"
      initial={{ username: '', password: '' }}
      validate={validateSignIn}
      specs={SIGN_IN_FIELDS}
      send={(v) => signIn(v.username.trim(), v.password)}
      labels={{ submit: 'Sign in', busy: 'Signing in…', failed: 'You are not signed in' }}
      other={{ question: 'New here?', page: 'register', link: 'Create an account' }}
    />
  );
}

async function register(v: RegisterValues): Promise<void> {
  const body = { username: v.username.trim(), email: v.email.trim(), password: v.password };
  await ok(api.POST('/auth/register', { body }));
  await signIn(body.username, body.password);
}

export function RegisterPage() {
  return (
    <AccountForm<RegisterValues>
      title="Create an account"
      initial={{ username: '', email: '', password: '' }}
      validate={validateRegister}
      specs={REGISTER_FIELDS}
      send={register}
      labels={{
        submit: 'Create account',
        busy: 'Creating your account…',
        failed: 'Your account was not created',
      }}
      other={{ question: 'Already have an account?', page: 'signIn', link: 'Sign in' }}
    />
  );
}

export function AccountPage() {
  const session = useSession();
  const me = useMe(session.status === 'signed-in');
  const navigate = useNavigate();
  const out = useMutation({ mutationFn: signOut, onSuccess: () => navigate('/', { replace: true }) });
  return (
    <Page title="Your account" narrow>
      <QueryState query={me}>
        {(user) => (
          <>
            <dl className="facts">
              <div>
                <dt>Username</dt>
                <dd>{user.username}</dd>
              </div>
              <div>
                <dt>Email</dt>
                <dd>{user.email}</dd>
              </div>
            </dl>
            {user.email_verified ? (
              <Notice tone="success" title="Your email address is confirmed" />
            ) : (
              <Notice tone="info" title="Please confirm your email address">
                We sent a link to {user.email}. Open it to confirm that the address is yours.
              </Notice>
            )}
          </>
        )}
      </QueryState>
      <p className="account-links">
        <Link to={pathTo('orders')}>My orders</Link>
      </p>
      <ActionButton
        mutation={out}
        errorTitle="You are still signed in"
        label="Sign out"
        className="button button-secondary"
      />
    </Page>
  );
}
