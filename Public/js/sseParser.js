// An incremental parser for the text/event-stream format, fed with decoded text chunks.
// Used by api.js, which reads event streams with fetch so it can send Authorization.

export class SSEParser {
  /** onEvent({type, data, id}) is called once per complete event. */
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = '';
    this.type = '';
    this.data = [];
    this.id = null;
    this.lastEventId = null;
    this.retry = null;
  }

  push(chunk) {
    this.buffer += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) break;
      // A lone trailing "\r" may be the first half of "\r\n": wait for more text.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) break;
      const lineText = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.line(lineText);
    }
  }

  line(text) {
    if (text === '') { this.dispatch(); return; }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
  }

  dispatch() {
    if (this.id !== null) this.lastEventId = this.id;
    if (this.data.length > 0) {
      this.onEvent({ type: this.type || 'message', data: this.data.join('\n'), id: this.lastEventId });
    }
    this.type = '';
    this.data = [];
    this.id = null;
  }
}
