import { channelLabel } from '../../lib/meta.ts';
import { detailBeyond, OUTCOME_LABEL, reasonFor, type Outcome } from '../../lib/reasons.ts';
import { localizeTimes } from '../../lib/zoned-time.ts';
import { useStore } from '../../store/index.ts';
import type { Explained } from '../../store/users.ts';
import { Time, useZone } from '../Time.tsx';

/** For each message of the journey: sent or not, why in words, and the server's sentence in local time. */
export function ExplainSteps({ pass, title }: { pass: Explained; title: string }) {
  const registry = useStore((s) => s.registry);
  const zone = useZone();
  if (pass.steps.length === 0) return <p className="muted empty-line">This journey has no message steps.</p>;
  return (
    <div className="table-wrap">
      <table className="table compact">
        <caption className="visually-hidden">{title}</caption>
        <thead>
          <tr>
            <th scope="col">Message</th>
            <th scope="col">Outcome</th>
            <th scope="col">Why</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {pass.steps.map((step, i) => {
            const outcome = step.outcome as Outcome;
            const reason = reasonFor(step.outcome, step.reason);
            const detail = detailBeyond(reason, localizeTimes(step.detail, zone));
            return (
              <tr key={`${step.nodeId}:${i}`}>
                <td className="nowrap">
                  <code>{step.nodeId}</code>
                  <div className="sub">{channelLabel(step.channel, registry)}</div>
                </td>
                <td>
                  <span className={`pill outcome-${step.outcome}`}>{OUTCOME_LABEL[outcome] ?? step.outcome}</span>
                </td>
                <td className="why">
                  {reason && <div className="reason">{reason}</div>}
                  {detail && <div className="sub">{detail}</div>}
                </td>
                <td className="nowrap">
                  <Time at={step.at} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
