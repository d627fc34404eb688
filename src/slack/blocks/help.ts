// `/health help`, and what an unknown subcommand gets: every form of the command with
// one line on what it answers, after a line naming what was not understood.
import { section } from './kit.ts';
import { escapeEntities, escapeText, type SlackMessage } from './text.ts';

export const COMMAND = '/health';

export const FORMS: readonly { usage: string; does: string }[] = [
  { usage: `${COMMAND} <account>`, does: 'the health card of an account, by name, domain or id' },
  {
    usage: `${COMMAND} portfolio [industry|segment <name>]`,
    does: 'average Health Index, share and ARR at risk, Referral-Ready Account Rate, risk and health by industry',
  },
  { usage: `${COMMAND} at-risk [n]`, does: 'the n accounts at risk (high or critical), most valuable first' },
  { usage: `${COMMAND} referrals`, does: 'the accounts ready to be asked for a referral' },
  { usage: `${COMMAND} movers`, does: "the week's biggest drops and gains of the Health Index, and why" },
  {
    usage: `${COMMAND} cases [mine|all|<account>]`,
    does: "open recovery cases: yours (the default), everyone's, or an account's, to act on",
  },
  {
    usage: `${COMMAND} digest subscribe <schedule> [<zone>] [options]`,
    does: "this channel's digest on a schedule, e.g. `weekdays 09:00 Europe/Paris tier high,critical`",
  },
  {
    usage: `${COMMAND} digest unsubscribe|list [all]|preview|help`,
    does: "stop it, see it and when it comes next (or every channel's), see it now privately, or every option",
  },
  { usage: `${COMMAND} help`, does: 'this list' },
];

const SHOWN = 200;

/** The help; with `unknown`, first says that it was not understood. */
export function helpMessage(unknown?: string): SlackMessage {
  const lead = unknown === undefined ? '' : `Canary did not understand "${escapeText(unknown, SHOWN)}". `;
  const text = `${lead}What \`${COMMAND}\` answers:`;
  const forms = FORMS.map((f) => `\`${escapeEntities(f.usage)}\`  ${f.does}`).join('\n');
  return {
    text,
    blocks: [
      section(text),
      section(forms),
      section('Answers are private; each has a button to share it in the channel.'),
    ],
  };
}
