import type { Services } from '../services.js';

export interface Health {
  status: 'ok' | 'degraded';
  database: 'ok' | 'unreachable';
  trackingBuffer: ReturnType<Services['eventBuffer']['stats']> & { rateLimited: number };
  /** Age of the next event process_events will judge; null when the database did not answer. */
  processingLagSeconds: number | null;
}

/** What an operator (or a load balancer) needs: is the database reachable, are tracking events backing up. */
export async function healthCheck(services: Services): Promise<Health> {
  let database: Health['database'] = 'ok';
  try {
    await Promise.race([
      services.pool.query('select 1'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref()),
    ]);
  } catch {
    database = 'unreachable';
  }
  const lag = database === 'ok' ? await services.events.processingLagSeconds().catch(() => null) : null;
  return {
    status: database === 'ok' ? 'ok' : 'degraded',
    database,
    processingLagSeconds: lag === null ? null : Math.round(lag * 10) / 10,
    trackingBuffer: { ...services.eventBuffer.stats(), rateLimited: services.eventWriter.rateLimited() },
  };
}
