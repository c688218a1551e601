// Every page's frame: its heading and the document title, and focus moved to the heading after
// a navigation so that a screen reader or keyboard user starts at the top of the new page.
import { useEffect, useRef, type ReactNode } from 'react';
import { useLocation } from 'react-router';

let firstPage = true;

export function Page({
  title,
  heading,
  actions,
  children,
  narrow,
}: {
  title: string;
  heading?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  narrow?: boolean;
}) {
  const ref = useRef<HTMLHeadingElement>(null);
  const { pathname } = useLocation();
  useEffect(() => {
    document.title = `${title} · Minishop`;
  }, [title]);
  useEffect(() => {
    if (firstPage) firstPage = false;
    else ref.current?.focus({ preventScroll: false });
  }, [pathname]);
  return (
    <div className={narrow ? 'page page-narrow' : 'page'}>
      <div className="page-head">
        <h1 ref={ref} tabIndex={-1}>
          {heading ?? title}
        </h1>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </div>
  );
}
