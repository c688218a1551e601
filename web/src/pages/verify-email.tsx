// The page the verification email links to. Opening it changes nothing (mail scanners follow
// links); the address is confirmed only when the person presses the button, which posts the token.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { ActionButton, Notice } from '../components/feedback.tsx';
import { Page } from '../components/page.tsx';

export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const client = useQueryClient();
  const confirm = useMutation({
    mutationFn: () => ok(api.POST('/auth/verify-email', { body: { token } })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.me }),
  });
  return (
    <Page title="Confirm your email" narrow>
      {!token ? (
        <Notice tone="error" title="This link is incomplete">
          Open the link from the email again, or copy the whole address into the browser.
        </Notice>
      ) : confirm.isSuccess ? (
        <Notice tone="success" title="Your email address is confirmed">
          <Link to="/">Continue to the shop</Link>
        </Notice>
      ) : (
        <>
          <p>Press the button to confirm that this email address belongs to you.</p>
          <ActionButton
            mutation={confirm}
            errorTitle="Your email address is not confirmed"
            label="Confirm my email address"
            busyLabel="Confirming…"
          />
        </>
      )}
    </Page>
  );
}
