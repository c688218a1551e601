// Mailpit-style "chaos" triggers: an SMTP error code returned with a given probability when the
// client names the sender, a recipient, or authenticates. Probability 100 makes the server
// refuse every mail, which is how tests simulate an SMTP outage without stopping the process.
import { Type, type Static } from '@sinclair/typebox';

const Trigger = Type.Object(
  {
    ErrorCode: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
    Probability: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  },
  { additionalProperties: false },
);

export const ChaosTriggersInput = Type.Object(
  {
    Sender: Type.Optional(Trigger),
    Recipient: Type.Optional(Trigger),
    Authentication: Type.Optional(Trigger),
  },
  { additionalProperties: false },
);
export type ChaosTriggersInput = Static<typeof ChaosTriggersInput>;

export type Stage = 'Sender' | 'Recipient' | 'Authentication';
export type ChaosTriggers = Record<Stage, { ErrorCode: number; Probability: number }>;

const DEFAULT_CODES: Record<Stage, number> = { Sender: 451, Recipient: 451, Authentication: 535 };

export class ChaosState {
  private triggers: ChaosTriggers = ChaosState.defaults({});
  private readonly random: () => number;

  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  get(): ChaosTriggers {
    return structuredClone(this.triggers);
  }

  /** Replaces all triggers; omitted ones go back to their default code with probability 0. */
  set(input: ChaosTriggersInput): ChaosTriggers {
    this.triggers = ChaosState.defaults(input);
    return this.get();
  }

  /** The error code to fail this stage with, or undefined to let it through. */
  strike(stage: Stage): number | undefined {
    const { ErrorCode, Probability } = this.triggers[stage];
    return Probability > 0 && this.random() * 100 < Probability ? ErrorCode : undefined;
  }

  private static defaults(input: ChaosTriggersInput): ChaosTriggers {
    const pick = (stage: Stage) => ({
      ErrorCode: input[stage]?.ErrorCode || DEFAULT_CODES[stage],
      Probability: input[stage]?.Probability ?? 0,
    });
    return { Sender: pick('Sender'), Recipient: pick('Recipient'), Authentication: pick('Authentication') };
  }
}
