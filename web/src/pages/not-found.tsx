// Any path that is no page of the shop.
import { EmptyWithShopLink } from '../components/feedback.tsx';
import { Page } from '../components/page.tsx';

export function NotFoundPage() {
  return (
    <Page title="Page not found" narrow>
      <EmptyWithShopLink title="We could not find that page" action="Back to the shop" />
    </Page>
  );
}
