// A received message as the sink keeps it, and its two public views in Mailpit's JSON shape:
// the summary used by lists and searches, and the full message.

export interface MailAddress {
  Name: string;
  Address: string;
}

export interface AttachmentInfo {
  PartID: string;
  FileName: string;
  ContentType: string;
  ContentID: string;
  Size: number;
}

export interface StoredMessage {
  ID: string;
  MessageID: string;
  Read: boolean;
  From: MailAddress | null;
  To: MailAddress[];
  Cc: MailAddress[];
  Bcc: MailAddress[];
  ReplyTo: MailAddress[];
  ReturnPath: string;
  Subject: string;
  /** When the sink received it. */
  Created: Date;
  /** The Date header, or the time received when it has none. */
  Date: Date;
  Username: string;
  Text: string;
  HTML: string;
  Size: number;
  Snippet: string;
  Attachments: AttachmentInfo[];
  Inline: AttachmentInfo[];
  Headers: Record<string, string[]>;
  /** Lower-cased text that free-text searches look in. */
  searchText: string;
}

export function messageSummary(m: StoredMessage) {
  return {
    ID: m.ID,
    MessageID: m.MessageID,
    Read: m.Read,
    From: m.From,
    To: m.To,
    Cc: m.Cc,
    Bcc: m.Bcc,
    ReplyTo: m.ReplyTo,
    Subject: m.Subject,
    Created: m.Created.toISOString(),
    Username: m.Username,
    Tags: [] as string[],
    Size: m.Size,
    Attachments: m.Attachments.length,
    Snippet: m.Snippet,
  };
}

export function messageDetail(m: StoredMessage) {
  return {
    ID: m.ID,
    MessageID: m.MessageID,
    From: m.From,
    To: m.To,
    Cc: m.Cc,
    Bcc: m.Bcc,
    ReplyTo: m.ReplyTo,
    ReturnPath: m.ReturnPath,
    Subject: m.Subject,
    ListUnsubscribe: { Header: '', Links: [] as string[], Errors: '', HeaderPost: '' },
    Date: m.Date.toISOString(),
    Tags: [] as string[],
    Username: m.Username,
    Text: m.Text,
    HTML: m.HTML,
    Size: m.Size,
    Inline: m.Inline,
    Attachments: m.Attachments,
  };
}
