#!/usr/bin/env node
// The notebooks' TypeScript kernel: this project's tslab (pinned, see notebook-env.mjs), plus
// the one reply it lacks. JupyterLab asks every kernel for its input history
// (history_request: the notebook's and console's history, the inline completer); tslab
// 1.0.22 does not know the message, logs "unknown msg_type: history_request" to the server's
// log each time and never answers. Here it answers with an empty history (tslab keeps none),
// through tslab's own message code, so the frontend gets its reply and the log stays quiet.
// Anything unexpected (another tslab version) leaves tslab as it is.
// Usage (kernel.json): node scripts/tslab-kernel.cjs kernel --config-path {connection_file}
"use strict";
const path = require("node:path");

const tslabDir = path.join(__dirname, "..", "node_modules", "tslab");
const { ZmqServer } = require(path.join(tslabDir, "dist", "jupyter.js"));
const DELIM = "<IDS|MSG>";

/** msg_type of a raw shell message (identities, delimiter, hmac, header, ...), or undefined. */
function msgType(frames) {
  const d = frames.findIndex((f) => f.length === DELIM.length && f.toString() === DELIM);
  if (d < 0 || !frames[d + 2]) return undefined;
  try {
    return JSON.parse(frames[d + 2].toString()).msg_type;
  } catch {
    return undefined;
  }
}

const handle = ZmqServer && ZmqServer.prototype && ZmqServer.prototype.handleShellMessage;
if (typeof handle === "function" && typeof ZmqServer.prototype.publishStatus === "function") {
  ZmqServer.prototype.handleShellMessage = function (sock, ...frames) {
    if (msgType(frames) !== "history_request") return handle.call(this, sock, ...frames);
    // tslab parses and verifies the message, then publishes "busy" with it: reply there,
    // with the parsed message's own reply helper (same session, identities and signature).
    const publish = this.publishStatus;
    const ownPublish = Object.prototype.hasOwnProperty.call(this, "publishStatus");
    const warn = console.warn;
    this.publishStatus = (status, msg) => {
      if (status === "busy") {
        const reply = msg.createReply();
        reply.header.msg_type = "history_reply";
        reply.content = { status: "ok", history: [] };
        publish.call(this, status, msg);
        reply.signAndSend(this.connInfo.key, sock);
        return;
      }
      publish.call(this, status, msg);
    };
    console.warn = (...a) => {
      if (!/^unknown msg_type: history_request$/.test(String(a[0]))) warn(...a);
    };
    try {
      // The history_request path of handleShellMessage runs synchronously (no await before
      // its "unknown msg_type" branch), so both patches are back in place before anything else runs.
      return handle.call(this, sock, ...frames);
    } finally {
      if (ownPublish) this.publishStatus = publish;
      else delete this.publishStatus;
      console.warn = warn;
    }
  };
}

require(path.join(tslabDir, "dist", "main.js")).main();
