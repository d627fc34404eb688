// What Slack sends to a Bolt HTTP endpoint, built and signed as Slack does: slash
// commands (form fields), block actions and view submissions (a form field `payload`
// holding JSON), Events API callbacks and the url_verification challenge (JSON), each
// signed with `v0=HMAC_SHA256(secret, "v0:<ts>:<raw body>")`. Shapes follow Slack's
// payloads as @slack/bolt 5 types them (SlashCommand, BlockAction, ViewSubmitAction,
// EnvelopedEvent); ids default to the workspace in workspace.ts.
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { WORKSPACE } from './workspace.ts';

export interface SlackRequest {
  contentType: 'application/x-www-form-urlencoded' | 'application/json';
  /** The raw body, exactly as signed and sent. */
  body: string;
  /** What the body carries, parsed (for interactions, the `payload` JSON). */
  payload: Record<string, unknown>;
}

export interface SignOptions {
  signingSecret: string;
  /** Seconds since the epoch, now unless given: an old one tests Bolt's 5-minute window. */
  timestamp?: number;
  /** Slack's redelivery headers for events the app did not ack in time. */
  retryNum?: number;
  retryReason?: string;
  /** Sent instead of the computed signature. */
  signature?: string;
}

/** Who acts: a user of the workspace, the directory's CSM unless given. */
interface Actor {
  userId?: string;
  userName?: string;
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`, as Slack signs requests. */
export function slackSignature(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** POSTs a request to a Bolt endpoint with Slack's signature and timestamp headers. */
export function signedPost(url: string, request: SlackRequest, options: SignOptions): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    // Exactly this value: Bolt compares the content type with `===` before it reads a form.
    'content-type': request.contentType,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': options.signature ?? slackSignature(options.signingSecret, timestamp, request.body),
  };
  if (options.retryNum !== undefined) headers['x-slack-retry-num'] = String(options.retryNum);
  if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;
  return fetch(url, { method: 'POST', headers, body: request.body });
}

export function slashCommand(options: {
  command: string;
  text?: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  teamId?: string;
  responseUrl: string;
  triggerId?: string;
}): SlackRequest {
  const fields = {
    token: WORKSPACE.verificationToken,
    team_id: options.teamId ?? WORKSPACE.teamId,
    team_domain: WORKSPACE.teamDomain,
    channel_id: options.channelId ?? WORKSPACE.channel.id,
    channel_name: options.channelName ?? WORKSPACE.channel.name,
    user_id: options.userId ?? WORKSPACE.user.id,
    user_name: options.userName ?? WORKSPACE.user.name,
    command: options.command,
    text: options.text ?? '',
    api_app_id: WORKSPACE.appId,
    is_enterprise_install: 'false',
    response_url: options.responseUrl,
    trigger_id: options.triggerId ?? unknownTriggerId(),
  };
  return {
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams(fields).toString(),
    payload: fields,
  };
}

type BlockActionOptions = Actor & {
  actionId: string;
  blockId?: string;
  /** A button's value. */
  value?: string;
  /** A button's label. */
  text?: string;
  /** Makes the action a static_select choice instead of a button press. */
  selectedOption?: { text: string; value: string };
  triggerId?: string;
} & (
    | {
        container?: 'message';
        channelId?: string;
        channelName?: string;
        messageTs: string;
        /** The message the action sits in, e.g. `fake.message(channel, ts)`; Slack sends it whole. */
        message?: object;
        /** Slack sends no `message` for actions in ephemeral messages. */
        ephemeral?: boolean;
        responseUrl: string;
      }
    | {
        container: 'view';
        /** The view the action sits in, e.g. `fake.homeView(user)`; a home tab unless it says otherwise. */
        view?: Record<string, unknown>;
      }
  );

export function blockAction(options: BlockActionOptions): SlackRequest {
  const blockId = options.blockId ?? randomBytes(3).toString('base64url');
  const actionTs = slackTs();
  const action = options.selectedOption
    ? {
        type: 'static_select',
        action_id: options.actionId,
        block_id: blockId,
        selected_option: {
          text: plainText(options.selectedOption.text),
          value: options.selectedOption.value,
        },
        placeholder: plainText('Select an item'),
        action_ts: actionTs,
      }
    : {
        type: 'button',
        action_id: options.actionId,
        block_id: blockId,
        text: plainText(options.text ?? 'Button'),
        ...(options.value !== undefined && { value: options.value }),
        action_ts: actionTs,
      };
  const base = {
    type: 'block_actions',
    user: user(options),
    api_app_id: WORKSPACE.appId,
    token: WORKSPACE.verificationToken,
  };
  const common = {
    trigger_id: options.triggerId ?? unknownTriggerId(),
    team: { id: WORKSPACE.teamId, domain: WORKSPACE.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
  };
  if (options.container === 'view') {
    const view = viewOutput('home', options.view);
    return interaction({
      ...base,
      container: { type: 'view', view_id: view.id },
      ...common,
      view,
      // Actions in views carry no response_url: Slack has no message to answer into.
      actions: [action],
    });
  }
  const channelId = options.channelId ?? WORKSPACE.channel.id;
  return interaction({
    ...base,
    container: {
      type: 'message',
      message_ts: options.messageTs,
      channel_id: channelId,
      is_ephemeral: options.ephemeral === true,
    },
    ...common,
    channel: { id: channelId, name: options.channelName ?? WORKSPACE.channel.name },
    ...(!options.ephemeral && {
      message: options.message ?? {
        type: 'message',
        ts: options.messageTs,
        user: WORKSPACE.botUserId,
        bot_id: WORKSPACE.botId,
        app_id: WORKSPACE.appId,
        team: WORKSPACE.teamId,
        text: '',
        blocks: [],
      },
    }),
    state: { values: {} },
    response_url: options.responseUrl,
    actions: [action],
  });
}

export function viewSubmission(
  options: Actor & {
    /** The modal as opened, e.g. `fake.view(id)`; the fields below override it. */
    view?: Record<string, unknown>;
    callbackId?: string;
    privateMetadata?: string;
    /** `view.state.values`: block id -> action id -> { type, value | selected_option | ... }. */
    values?: Record<string, Record<string, Record<string, unknown>>>;
    triggerId?: string;
  },
): SlackRequest {
  const view = viewOutput('modal', {
    ...options.view,
    ...(options.callbackId !== undefined && { callback_id: options.callbackId }),
    ...(options.privateMetadata !== undefined && { private_metadata: options.privateMetadata }),
    state: { values: options.values ?? {} },
  });
  return interaction({
    type: 'view_submission',
    team: { id: WORKSPACE.teamId, domain: WORKSPACE.teamDomain },
    user: user(options),
    api_app_id: WORKSPACE.appId,
    token: WORKSPACE.verificationToken,
    trigger_id: options.triggerId ?? unknownTriggerId(),
    view,
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  });
}

/** An Events API delivery; `event_ts` is filled in when the event has none. */
export function eventCallback(options: {
  event: Record<string, unknown> & { type: string };
  eventId?: string;
}): SlackRequest {
  const eventTime = Math.floor(Date.now() / 1000);
  return json({
    token: WORKSPACE.verificationToken,
    team_id: WORKSPACE.teamId,
    context_team_id: WORKSPACE.teamId,
    context_enterprise_id: null,
    api_app_id: WORKSPACE.appId,
    event: { event_ts: slackTs(), ...options.event },
    type: 'event_callback',
    event_id: options.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: eventTime,
    authorizations: [
      {
        enterprise_id: null,
        team_id: WORKSPACE.teamId,
        user_id: WORKSPACE.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomBytes(12).toString('base64url')}`,
  });
}

/** A user opened the app's Home tab: Slack names the app's DM with them and the view shown, if any. */
export function appHomeOpened(options: {
  userId?: string;
  channel?: string;
  view?: Record<string, unknown>;
  eventId?: string;
}): SlackRequest {
  return eventCallback({
    event: {
      type: 'app_home_opened',
      user: options.userId ?? WORKSPACE.user.id,
      channel: options.channel ?? `D${randomBytes(5).toString('hex').toUpperCase()}`,
      tab: 'home',
      ...(options.view && { view: options.view }),
    },
    eventId: options.eventId,
  });
}

/** The challenge Slack sends once when the Events API URL is configured. */
export function urlVerification(challenge = randomBytes(24).toString('base64url')): SlackRequest {
  return json({ token: WORKSPACE.verificationToken, challenge, type: 'url_verification' });
}

// --- shared pieces ------------------------------------------------------------------

const plainText = (text: string) => ({ type: 'plain_text', text, emoji: true });

const user = (actor: Actor) => ({
  id: actor.userId ?? WORKSPACE.user.id,
  username: actor.userName ?? WORKSPACE.user.name,
  name: actor.userName ?? WORKSPACE.user.name,
  team_id: WORKSPACE.teamId,
});

/** A Slack timestamp: seconds, a dot, six digits. */
const slackTs = () => {
  const now = Date.now();
  return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000 + randomInt(1000)).padStart(6, '0')}`;
};

/** Shaped like Slack's, but issued by no fake: `views.open` with it is `invalid_trigger_id`. */
const unknownTriggerId = () =>
  `${Date.now()}.${WORKSPACE.teamId.slice(1)}.${randomBytes(16).toString('hex')}`;

/** A view as Slack sends it back in payloads (ViewOutput), over `given`'s fields. */
function viewOutput(
  type: 'home' | 'modal',
  given: Record<string, unknown> = {},
): Record<string, unknown> & { id: string } {
  const id = typeof given.id === 'string' ? given.id : `V${randomBytes(5).toString('hex').toUpperCase()}`;
  return {
    team_id: WORKSPACE.teamId,
    type,
    blocks: [],
    private_metadata: '',
    callback_id: '',
    state: { values: {} },
    hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
    title: plainText(type === 'home' ? 'View Title' : 'Canary'),
    clear_on_close: false,
    notify_on_close: false,
    close: type === 'modal' ? plainText('Cancel') : null,
    submit: type === 'modal' ? plainText('Submit') : null,
    previous_view_id: null,
    root_view_id: id,
    app_id: WORKSPACE.appId,
    external_id: '',
    app_installed_team_id: WORKSPACE.teamId,
    bot_id: WORKSPACE.botId,
    ...given,
    id,
  };
}

const interaction = (payload: Record<string, unknown>): SlackRequest => ({
  contentType: 'application/x-www-form-urlencoded',
  body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
  payload,
});

const json = (payload: Record<string, unknown>): SlackRequest => ({
  contentType: 'application/json',
  body: JSON.stringify(payload),
  payload,
});
