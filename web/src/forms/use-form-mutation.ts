// A form that sends itself: its fields and checks (useForm), the request (a TanStack mutation),
// the server's field errors shown next to the fields, and a submit that never sends twice at once.
import { useMutation } from '@tanstack/react-query';
import { ApiError } from '../api/problem.ts';
import { useForm } from './use-form.ts';
import type { Validator } from './validation.ts';

export function useFormMutation<T extends Record<string, string>, R>(options: {
  initial: T;
  validate: Validator<T>;
  send: (values: T) => Promise<R>;
  onSuccess?: (result: R) => unknown;
  retry?: (failures: number, error: Error) => boolean;
}) {
  const form = useForm(options.initial, options.validate);
  const mutation = useMutation({
    mutationFn: options.send,
    onSuccess: options.onSuccess,
    retry: options.retry ?? false,
    onError: (error) => {
      if (error instanceof ApiError) form.showServerErrors(error.fieldErrors());
    },
  });
  const onSubmit = form.handleSubmit((values) => {
    if (!mutation.isPending) mutation.mutate(values);
  });
  return { form, mutation, onSubmit };
}
