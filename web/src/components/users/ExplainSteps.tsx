import { useEffect } from 'react';
import { isDeadStep, messagesOfSteps, needsDelivery, stepDeliveryWords } from '../../lib/delivery.ts';
import { channelLabel } from '../../lib/meta.ts';
import { detailBeyond, OUTCOME_LABEL, reasonFor, type Outcome } from '../../lib/reasons.ts';
import { formatInZone, localizeTimes } from '../../lib/zoned-time.ts';
import { useStore } from '../../store/index.ts';
import type { Explained } from '../../store/users.ts';
import { Time, useZone } from '../Time.tsx';

/**
 * For each message of the journey: sent or not, why in words, and the server's sentence in local time. A
 * message being retried or dead-lettered says so, with the next attempt's time read from the message log.
 */
export function ExplainSteps({ pass, title, userId }: { pass: Explained; title: string; userId: string }) {
  const registry = useStore((s) => s.registry);
  const messages = useStore((s) => s.passMessages[pass.instanceId]);
  const loadPassMessages = useStore((s) => s.loadPassMessages);
  const zone = useZone();
  const wanted = pass.steps.some(needsDelivery);
  useEffect(() => {
    if (wanted && !messages) void loadPassMessages(userId, pass.journeyId);
  }, [wanted, messages, loadPassMessages, userId, pass.journeyId]);
  const matched = messagesOfSteps(pass.steps, messages ?? []);
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
            const delivery = stepDeliveryWords(step, matched[i], (at) => formatInZone(at, zone));
            const reason = delivery ?? reasonFor(step.outcome, step.reason);
            const detail = delivery ? null : detailBeyond(reason, localizeTimes(step.detail, zone)); // the delivery words say it all
            return (
              <tr key={`${step.nodeId}:${i}`}>
                <td className="nowrap">
                  <code>{step.nodeId}</code>
                  <div className="sub">{channelLabel(step.channel, registry)}</div>
                </td>
                <td>
                  <span className={`pill outcome-${step.outcome}`}>{isDeadStep(step) ? 'Dead letter' : step.reason === 'retrying' ? 'Retrying' : (OUTCOME_LABEL[outcome] ?? step.outcome)}</span>
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
