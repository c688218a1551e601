// How the app says what is going on: messages that screen readers announce, and the loading,
// empty and error states every page that reads from the server shows the same way.
import { useState, type ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { Link } from 'react-router';
import { messageOf } from '../api/problem.ts';

type Tone = 'info' | 'success' | 'error' | 'warning';

/** An error is an alert (read at once); anything else a polite status. */
export function Notice({
  tone = 'info',
  title,
  children,
}: {
  tone?: Tone;
  title?: string;
  children?: ReactNode;
}) {
  return (
    <div className={`notice tone-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title && <p className="notice-title">{title}</p>}
      {children && <div className="notice-body">{children}</div>}
    </div>
  );
}

export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <Notice tone="error" title={title ?? 'That did not work'}>
      {messageOf(error)}
    </Notice>
  );
}

export function Loading({ label = 'Loading…', lines = 3 }: { label?: string; lines?: number }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className="skeleton" aria-hidden="true" />
      ))}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <svg viewBox="0 0 64 64" aria-hidden="true" focusable="false">
        <path
          d="M14 22h36l-3 30H17z"
          fill="none"
          stroke="currentColor"
          strokeWidth="3"
          strokeLinejoin="round"
        />
        <path d="M24 22a8 8 0 0 1 16 0" fill="none" stroke="currentColor" strokeWidth="3" />
      </svg>
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

/** Renders a query's data, or its loading or error state, or the empty state when there is nothing. */
export function QueryState<T>(props: {
  query: UseQueryResult<T>;
  loading?: ReactNode;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  const { query } = props;
  if (query.isPending) return <>{props.loading ?? <Loading />}</>;
  if (query.isError)
    return (
      <div className="error-state">
        <ErrorNotice error={query.error} title="We could not load this" />
        <button type="button" className="button button-secondary" onClick={() => void query.refetch()}>
          Try again
        </button>
      </div>
    );
  if (props.isEmpty?.(query.data)) return <>{props.empty}</>;
  return <>{props.children(query.data)}</>;
}

interface MutationButtonProps {
  mutation: { isPending: boolean; error: unknown };
  errorTitle: string;
  label: string;
  busyLabel?: string;
  className?: string;
}

/** What went wrong (announced), then the button that sends, busy while sending. */
function MutationButton(props: MutationButtonProps & { type: 'submit' | 'button'; onClick?: () => void }) {
  const { mutation } = props;
  return (
    <>
      <ErrorNotice error={mutation.error} title={props.errorTitle} />
      <button
        type={props.type}
        className={props.className ?? 'button button-wide'}
        onClick={props.onClick}
        disabled={mutation.isPending}
        aria-busy={mutation.isPending}
      >
        {mutation.isPending ? (props.busyLabel ?? props.label) : props.label}
      </button>
    </>
  );
}

/** The end of every form: what went wrong and the submit button. */
export function FormSubmit(props: MutationButtonProps & { wide?: boolean }) {
  return <MutationButton {...props} type="submit" className={props.wide === false ? 'button' : undefined} />;
}

/** A button that does one thing at once (sign out, confirm an address), with what went wrong. */
export function ActionButton(props: MutationButtonProps & { mutation: { mutate: () => void } }) {
  return <MutationButton {...props} type="button" onClick={() => props.mutation.mutate()} />;
}

/** A link-button to the catalog inside an empty state ("Your bag is empty", "No orders yet"). */
export function EmptyWithShopLink({ title, action = 'Browse the shop' }: { title: string; action?: string }) {
  return (
    <EmptyState title={title}>
      <Link className="button" to="/">
        {action}
      </Link>
    </EmptyState>
  );
}

/** A button for what cannot be undone (delete, cancel): it asks once more before it acts. */
export function ConfirmButton(props: {
  label: string;
  confirmLabel: string;
  keepLabel: string;
  pending: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="button button-danger" onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  return (
    <div className="form-actions">
      <button
        type="button"
        className="button button-danger"
        disabled={props.pending}
        onClick={props.onConfirm}
      >
        {props.confirmLabel}
      </button>
      <button type="button" className="button button-secondary" onClick={() => setAsking(false)}>
        {props.keepLabel}
      </button>
    </div>
  );
}
