import type { ChatMessage, ContentPart } from '@cp/shared/contracts';

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
