import type { ChatMessage, ContentPart } from '@cp/shared/contracts';
import { InvalidChatRequestError } from '../errors/domain-errors';

type TextContent = string | { type: 'text'; text: string }[] | null | undefined;

/** The text of a message's content; text parts are joined with a newline, images ignored. */
export function contentText(content: TextContent | string | ContentPart[]): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .flatMap((part) => (part.type === 'text' ? [part.text] : []))
    .join('\n');
}

/** Content as a list of parts, whatever form the client used. */
export function contentParts(content: string | ContentPart[]): ContentPart[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

export function hasImageParts(message: ChatMessage): boolean {
  return message.role === 'user' && Array.isArray(message.content) && message.content.some((part) => part.type === 'image_url');
}

export interface DataUrl {
  mediaType: string;
  base64: string;
}

/** `data:image/png;base64,AAAA` -> its media type and payload; undefined for anything else. */
export function parseDataUrl(url: string): DataUrl | undefined {
  const match = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]+)$/i.exec(url);
  return match ? { mediaType: match[1].toLowerCase(), base64: match[2].replace(/\s/g, '') } : undefined;
}

export function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** Where an image comes from, as a wire that cannot pass URLs through needs to know. */
export type ImageSource = { kind: 'data'; mediaType: string; base64: string } | { kind: 'url'; url: string };

/**
 * The image of an `image_url` part for a wire that translates it (Anthropic, Gemini): a base64 data
 * URL of a media type the wire takes, or an http(s) URL. Anything else is the client's error: a 400
 * naming the part's field (`messages[1].content[0].image_url.url`), thrown before any provider is
 * called or any breaker is asked.
 */
export function imageSource(url: string, param: string, wire: string, mediaTypes: ReadonlySet<string>): ImageSource {
  if (isHttpUrl(url)) return { kind: 'url', url };
  if (!/^data:/i.test(url)) throw new InvalidChatRequestError(`image_url.url must be an http(s) URL or a base64 data URL (got a URL with scheme '${urlScheme(url)}')`, param);
  const data = parseDataUrl(url);
  if (!data) throw new InvalidChatRequestError('image_url.url is a data URL that is not of the form data:<media type>;base64,<base64 data>', param);
  if (!mediaTypes.has(data.mediaType)) throw new InvalidChatRequestError(`image_url.url has media type '${data.mediaType}', which the ${wire} wire does not take (${[...mediaTypes].join(', ')})`, param);
  return { kind: 'data', mediaType: data.mediaType, base64: data.base64 };
}

/** The scheme of a URL for an error message: at most 16 safe characters, never the rest of the URL. */
function urlScheme(url: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]{0,15}):/.exec(url)?.[1];
  return scheme ?? 'none';
}

/** The field of one content part, in OpenAI's notation. */
export function partParam(messageIndex: number, partIndex: number, field: string): string {
  return `messages[${messageIndex}].content[${partIndex}].${field}`;
}

const MIME_BY_EXTENSION: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic' };

/** A best guess from the URL's extension, for wires that want a MIME type next to a URL. */
export function guessImageMimeType(url: string): string {
  const path = url.split(/[?#]/)[0];
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return MIME_BY_EXTENSION[extension] ?? 'image/jpeg';
}

export type SystemMessage = Extract<ChatMessage, { role: 'system' | 'developer' }>;
/** User, assistant and tool messages: the turns of the conversation proper. */
export type ConversationMessage = Exclude<ChatMessage, SystemMessage>;

export function isSystemMessage(message: ChatMessage): message is SystemMessage {
  return message.role === 'system' || message.role === 'developer';
}

/** The text of all system and developer messages, wherever they appear, in order. */
export function systemTexts(messages: ChatMessage[]): string[] {
  return messages.filter(isSystemMessage).map((m) => contentText(m.content)).filter((s) => s !== '');
}
