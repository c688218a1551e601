// The payment provider's test cards, offered wherever the shopper pays: one that is accepted
// and one that the bank declines, so both outcomes can be tried without real money.
import { ChoiceGroup } from './field.tsx';

export const TEST_CARDS = [
  { value: 'pm_card_visa', label: 'Visa •••• 4242', description: 'Test card that pays' },
  {
    value: 'pm_card_chargeDeclined',
    label: 'Visa •••• 0002',
    description: 'Test card that the bank declines',
  },
];

export function CardChoice({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <ChoiceGroup
      legend="Payment card"
      name="payment_method"
      value={value}
      choices={TEST_CARDS}
      onChange={onChange}
    />
  );
}
