// `/health cases [mine|all|<account>]`: the recovery cases asked for, newest first,
// one line each with its state and a button to open it, as many as fit, then "and N
// more".
import { int } from '../../cli/format.ts';
import type { CaseListItem } from '../../storage/cases.ts';
import { caseRow } from './case-messages.ts';
import { nameOf } from './format.ts';
import { context, header, section } from './kit.ts';
import { moreLine } from './lists.ts';
import { escapeText, fitList, LIMITS, textLength, type KnownBlock, type SlackMessage } from './text.ts';

export interface CasesListModel {
  /** Whose cases: the viewer's, everyone's, or one account's. */
  scope:
    { kind: 'mine' } | { kind: 'all' } | { kind: 'account'; account: { name: string; externalId: string } };
  cases: readonly CaseListItem[];
  /** How many match in all. */
  total: number;
}

export function casesListMessage(m: CasesListModel): SlackMessage {
  const whose =
    m.scope.kind === 'mine'
      ? 'Your open recovery cases'
      : m.scope.kind === 'all'
        ? 'Open recovery cases'
        : `Open recovery cases of ${nameOf(m.scope.account)}`;
  const title = `${whose}: ${int(m.total)}`;
  const head: KnownBlock[] = [
    header(title),
    context([
      m.scope.kind === 'mine'
        ? 'On accounts you own, or assigned to you; newest first'
        : 'Newest first; open one to act on it',
    ]),
  ];
  if (!m.cases.length)
    return { text: escapeText(title), blocks: [...head, section('No open recovery cases.')] };
  // Cases beyond those given count as hidden too.
  const hidden = m.total - m.cases.length;
  let cut = false;
  const more = (n: number) => {
    cut = true;
    return moreLine('cases: `canary cases list` lists them all')(n + hidden);
  };
  const rows = fitList(
    m.cases,
    (item) => [caseRow(item)],
    { blocks: LIMITS.messageBlocks - head.length - 1, chars: LIMITS.messageChars - textLength(head) - 200 },
    more,
  );
  if (!cut && hidden > 0) rows.push(more(0));
  return { text: escapeText(title), blocks: [...head, ...rows] };
}
