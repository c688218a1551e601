// Crash points for recovery tests: with MINISHOP_ENV=test and MINISHOP_CRASH_AFTER=<point>, the
// process kills itself (SIGKILL, as a power cut would) right after that point of its work.
import { Type } from '@sinclair/typebox';

/** The config property that names the point, limited to the points a service has. */
export function CrashPointConfig<P extends string>(points: readonly [P, ...P[]]) {
  return {
    MINISHOP_CRASH_AFTER: Type.Optional(
      Type.Union(
        points.map((p) => Type.Literal(p)),
        {
          description:
            'test only (MINISHOP_ENV=test): the process kills itself right after this point, to prove recovery',
        },
      ),
    ),
  };
}

export interface CrashPointSettings {
  MINISHOP_ENV: string;
  MINISHOP_CRASH_AFTER?: string | undefined;
}

/** Returns the function to call at each point: it SIGKILLs the process at the configured one. */
export function crashPoints(config: CrashPointSettings): (point: string) => void {
  const armed = config.MINISHOP_ENV === 'test' ? config.MINISHOP_CRASH_AFTER : undefined;
  if (!armed) return () => {};
  return (point) => {
    if (point === armed) process.kill(process.pid, 'SIGKILL');
  };
}
