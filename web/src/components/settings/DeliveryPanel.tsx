import { useEffect } from 'react';
import { listOf, NO_PROVIDER_NEEDED, PROVIDER_FORMS } from '../../lib/delivery.ts';
import { channelLabel } from '../../lib/meta.ts';
import { useStore } from '../../store/index.ts';
import '../../styles/delivery.css';
import { ProviderCard } from './ProviderCard.tsx';

/** Delivery: for each channel, the provider that delivers its messages, or the built-in outbox. */
export function DeliveryPanel() {
  const providers = useStore((s) => s.providers);
  const error = useStore((s) => s.providersError);
  const loadProviders = useStore((s) => s.loadProviders);
  const registry = useStore((s) => s.registry);

  useEffect(() => {
    void loadProviders();
  }, [loadProviders]);

  // In the order of the registry's channel table when it has answered, else the providers API's.
  const order = registry?.channels.map((c) => c.name) ?? [];
  const rows = [...(providers ?? [])].sort((a, b) => rank(order, a.channel) - rank(order, b.channel));
  const configurable = rows.filter((v) => PROVIDER_FORMS[v.channel]);
  const outboxOnly = rows.filter((v) => !PROVIDER_FORMS[v.channel] && !NO_PROVIDER_NEEDED[v.channel]).map((v) => channelLabel(v.channel, registry));
  const needNone = rows.filter((v) => NO_PROVIDER_NEEDED[v.channel]);

  return (
    <section className="panel section-card delivery-panel" aria-labelledby="delivery-title" id="delivery">
      <div className="section-head">
        <h2 id="delivery-title">Delivery</h2>
        <span className="muted">Who delivers each channel’s messages</span>
      </div>
      <p>
        A channel without a provider delivers to the built-in <strong>outbox</strong>: its messages are recorded in the message log and go
        nowhere else. With a provider, they are delivered for real and retried on passing failures; after the last attempt a message becomes
        a dead letter.
      </p>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {providers === null && !error && <div className="skeleton short" role="status" aria-busy="true" aria-label="Loading the providers" />}
      {providers && (
        <div className="provider-list">
          {configurable.map((view) => (
            <ProviderCard key={view.channel} view={view} label={channelLabel(view.channel, registry)} />
          ))}
        </div>
      )}
      {outboxOnly.length > 0 && (
        <p className="muted provider-note">
          {listOf(outboxOnly)} {outboxOnly.length === 1 ? 'has' : 'have'} no provider yet: {outboxOnly.length === 1 ? 'it stays' : 'they stay'} on the outbox.
        </p>
      )}
      {needNone.map((v) => (
        <p key={v.channel} className="muted provider-note">
          {channelLabel(v.channel, registry)} {NO_PROVIDER_NEEDED[v.channel]}
        </p>
      ))}
    </section>
  );
}

function rank(order: string[], channel: string): number {
  const i = order.indexOf(channel);
  return i === -1 ? order.length : i;
}
