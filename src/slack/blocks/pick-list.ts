// What `/health <query>` answers when the query names no single account: several
// matches as a short list to pick from (a button each, or a select past five), or,
// with none, "No account matches" and the nearest accounts as suggestions. Picking
// one opens its health card.
import { ACTION, openCardButton } from './actions.ts';
import { listName, nameOf } from './format.ts';
import { context, section } from './kit.ts';
import { escapeText, LIMITS, plain, truncate, type KnownBlock, type SlackMessage } from './text.ts';

/** An account offered to pick (a Prisma `Account` row fits). */
export interface AccountChoice {
  id: number;
  externalId: string;
  name: string;
  domain: string | null;
}

export interface PickListModel {
  /** What the user typed. */
  query: string;
  matches: readonly AccountChoice[];
  /** With no match: the nearest accounts, best first. */
  suggestions: readonly AccountChoice[];
}

/** Past this many matches, a select instead of a button each. */
const MAX_BUTTONS = 5;
const QUERY_SHOWN = 100;

export function pickList(m: PickListModel): SlackMessage {
  const query = escapeText(m.query, QUERY_SHOWN);
  if (m.matches.length === 0) {
    const suggestions = m.suggestions.slice(0, MAX_BUTTONS);
    const text = `No account matches "${query}".`;
    const blocks: KnownBlock[] = [
      section(
        suggestions.length
          ? `${text} The nearest:`
          : `${text} Try part of the name, the domain or the external id.`,
      ),
      ...suggestions.map(choiceRow),
    ];
    return { text, blocks };
  }
  const text = `${m.matches.length} accounts match "${query}": pick one.`;
  if (m.matches.length <= MAX_BUTTONS) return { text, blocks: [section(text), ...m.matches.map(choiceRow)] };
  const options = m.matches.slice(0, LIMITS.selectOptions);
  const blocks: KnownBlock[] = [
    section(text, {
      type: 'static_select',
      action_id: ACTION.pickAccount,
      placeholder: plain('Choose an account', LIMITS.placeholder),
      options: options.map((a) => ({
        text: plain(optionLabel(a), LIMITS.optionText),
        value: String(a.id),
      })),
    }),
  ];
  if (m.matches.length > options.length)
    blocks.push(
      context([
        `…and ${m.matches.length - options.length} more: type more of the name, or the domain or external id.`,
      ]),
    );
  return { text, blocks };
}

function choiceRow(a: AccountChoice): KnownBlock {
  const domain = a.domain ? ` · ${escapeText(a.domain, 80)}` : '';
  return section(`${listName(a)}${domain}`, openCardButton(a.id));
}

/** `Acme Corporation (acme-1)`, the id kept whole when the name must be cut. */
function optionLabel(a: AccountChoice): string {
  const id = ` (${truncate(a.externalId, 30)})`;
  return truncate(nameOf(a), LIMITS.optionText - id.length) + id;
}
