import { formatCount } from '../../lib/format.ts';

/** What happens to the users already in the journey: they stay on their version unless moved. */
export function MoveUsersChoice(props: { running: number; next: number; inFlight: number | null; move: boolean; onChange: (move: boolean) => void }) {
  const { running, next, inFlight, move, onChange } = props;
  return (
    <fieldset className="publish-move">
      <legend>{inFlight === null ? 'Users already in the journey' : `${formatCount(inFlight)} ${inFlight === 1 ? 'user' : 'users'} already in the journey`}</legend>
      <label className="publish-choice">
        <input type="radio" name="move-users" checked={!move} onChange={() => onChange(false)} />
        <span>
          Stay on version {running} <span className="muted">(default)</span>
          <span className="hint">They finish the journey as it was when they entered.</span>
        </span>
      </label>
      <label className="publish-choice">
        <input type="radio" name="move-users" checked={move} onChange={() => onChange(true)} />
        <span>
          Move to version {next} at the node they are at
          <span className="hint">They keep their current wait and go on along the new version. Users at a node version {next} no longer has stay on version {running}.</span>
        </span>
      </label>
    </fieldset>
  );
}
