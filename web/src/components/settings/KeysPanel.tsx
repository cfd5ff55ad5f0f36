/**
 * What the server has for keys (src/api/keys.ts, auth.ts): two kinds, made at first start, kept as hashes.
 * The API has no route to list or change them, so this says how they are set rather than showing any.
 */
export function KeysPanel() {
  return (
    <section className="panel section-card" aria-labelledby="keys-title">
      <div className="section-head">
        <h2 id="keys-title">API keys</h2>
      </div>
      <dl className="key-kinds">
        <div>
          <dt>Admin key</dt>
          <dd>Manages journeys, reads users, messages and stats, changes these settings, and signs in to this dashboard.</dd>
        </div>
        <div>
          <dt>Write key</dt>
          <dd>
            Only sends events and profiles (<code>POST /v1/events</code>, <code>POST /v1/profiles</code>): the one to give a backend that reports
            what users do.
          </dd>
        </div>
      </dl>
      <p>
        The server makes one key of each kind the first time it starts on a new database, prints them once, and keeps only their SHA-256
        hashes: they cannot be shown here or recovered. To choose them yourself, set <code>WAYMARK_ADMIN_KEY</code> and{' '}
        <code>WAYMARK_WRITE_KEY</code> (16 characters or more, different from each other) before that first start; the CLI reads the same
        variables.
      </p>
      <p className="muted">Listing, adding and revoking keys are not in the API yet: they come with access management.</p>
    </section>
  );
}
