import type { ReactNode } from 'react';

import './globals.css';

export const metadata = {
  title: 'next-generic-tasks example',
  description: 'Enqueue a background task from a server action and watch it run.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
