import Foundation

/// Pushes Server-Sent Events to one client. Thread-safe: any thread may send; the bytes are
/// queued to the event loop, which writes them as the socket allows. Once the client goes
/// away, the server shuts down, the backlog grows too large, or `close()` is called, every
/// send returns false and the `onClose` callbacks run once, on a handler thread.
public final class EventStreamWriter: Sendable {
    private let connectionID: UInt64
    private let mailbox: LoopMailbox
    private let runCallback: @Sendable (@escaping @Sendable () -> Void) -> Void
    private let state = LockedValue(State())

    private struct State {
        var closed = false
        var callbacks: [@Sendable () -> Void] = []
        /// Bytes handed to the loop and not yet written to the socket.
        var unwrittenBytes = 0
    }

    init(
        connectionID: UInt64, mailbox: LoopMailbox,
        runCallback: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void
    ) {
        self.connectionID = connectionID
        self.mailbox = mailbox
        self.runCallback = runCallback
    }

    public var isClosed: Bool {
        state.withLock { $0.closed }
    }

    /// Bytes sent through this writer that the socket has not taken yet: a producer that
    /// stops adding while this is high never lets one slow reader pile up memory, and sees
    /// a reader that has stopped reading (the number never falls).
    public var unwrittenBytes: Int {
        state.withLock { $0.unwrittenBytes }
    }

    /// Called by the loop as the socket takes the stream's bytes.
    func acknowledgeWritten(_ count: Int) {
        state.withLock { $0.unwrittenBytes = max(0, $0.unwrittenBytes - count) }
    }

    /// Sends one event: optional `id:` and `event:` lines, one `data:` line per line of
    /// `data` (CR, LF and CRLF all split), then the blank line that dispatches it.
    @discardableResult
    public func send(event: String? = nil, id: String? = nil, data: String) -> Bool {
        guard !isClosed else { return false }  // before building the text: a gone client costs nothing
        var text = ""
        if let id { text += "id: \(Self.singleLine(id))\n" }
        if let event { text += "event: \(Self.singleLine(event))\n" }
        for line in Self.lines(data) { text += "data: \(line)\n" }
        text += "\n"
        return enqueue(text)
    }

    /// Sends a comment line (`: text`), which clients ignore: a keep-alive ping that also
    /// reveals a departed client.
    @discardableResult
    public func sendComment(_ text: String) -> Bool {
        enqueue(Self.lines(text).map { ": \($0)\n" }.joined() + "\n")
    }

    /// Sends `retry:`, the reconnection delay the client should use.
    @discardableResult
    public func sendRetry(milliseconds: Int) -> Bool {
        enqueue("retry: \(max(0, milliseconds))\n\n")
    }

    /// Ends the stream after what was already sent has been written.
    public func close() {
        guard markClosed() else { return }
        mailbox.post(.streamEnd(connectionID: connectionID))
    }

    /// Runs `body` once when the stream closes (at once, on a handler thread, if it already has).
    public func onClose(_ body: @escaping @Sendable () -> Void) {
        let closed = state.withLock { state in
            if !state.closed { state.callbacks.append(body) }
            return state.closed
        }
        if closed { runCallback(body) }
    }

    /// Called by the loop when the connection ends; true if this call closed the stream.
    @discardableResult
    func markClosed() -> Bool {
        let callbacks: [@Sendable () -> Void]? = state.withLock { state in
            guard !state.closed else { return nil }
            state.closed = true
            defer { state.callbacks.removeAll() }
            return state.callbacks
        }
        guard let callbacks else { return false }
        if !callbacks.isEmpty {
            runCallback { for callback in callbacks { callback() } }
        }
        return true
    }

    private func enqueue(_ text: String) -> Bool {
        let data = Data(text.utf8)
        let open = state.withLock { state in
            if !state.closed { state.unwrittenBytes += data.count }
            return !state.closed
        }
        guard open else { return false }
        guard mailbox.post(.streamData(connectionID: connectionID, data)) else {
            markClosed()
            return false
        }
        return true
    }

    static func lines(_ text: String) -> [Substring] {
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return unified.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// `id` and `event` must not break the framing: line breaks become spaces.
    private static func singleLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }
}
