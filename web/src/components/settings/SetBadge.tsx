/** Says a write-only secret is stored, without showing it. */
export function SetBadge() {
  return <span className="pill secret-set">set</span>;
}
