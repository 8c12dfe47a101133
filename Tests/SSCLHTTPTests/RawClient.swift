#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A blocking TCP client that speaks raw bytes, so tests see exactly what the server sends.
final class RawClient {
    let descriptor: Int32
    private var buffer: [UInt8] = []

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A parsed response.
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }

        subscript(name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    /// `receiveBufferBytes` shrinks the socket's receive buffer (so a client that does not read
    /// holds the server's writes back sooner); `sourceAddress` binds to another loopback address
    /// (127.0.0.2, ...) so the server sees a different client.
    init(port: Int, timeout: Double = 5, receiveBufferBytes: Int32? = nil, sourceAddress: String? = nil) throws {
        #if canImport(Glibc)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure(description: "socket: \(errno)") }
        if var size = receiveBufferBytes {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if let sourceAddress {
            var source = sockaddr_in()
            source.sin_family = sa_family_t(AF_INET)
            source.sin_addr.s_addr = inet_addr(sourceAddress)
            let bound = withUnsafePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                let code = errno
                _ = Glibc.close(descriptor)
                throw Failure(description: "bind \(sourceAddress): \(code)")
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            _ = Glibc.close(descriptor)
            throw Failure(description: "connect: \(code)")
        }
        setTimeout(timeout)
    }

    deinit { _ = Glibc.close(descriptor) }

    func setTimeout(_ seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: \(errno)") }
            offset += sent
        }
    }

    /// Reads more bytes into the buffer; false on EOF, reset or timeout.
    @discardableResult
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(descriptor, &chunk, chunk.count, 0)
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// Reads what has arrived (up to 64 KiB, waiting for at least a byte) into the buffer that
    /// `readResponse` continues from; the byte count, 0 on EOF, reset or timeout.
    func readSome() -> Int {
        let before = buffer.count
        fill()
        return buffer.count - before
    }

    /// True if bytes (or EOF) are waiting to be read within `seconds`, without reading them.
    func hasData(within seconds: Double) -> Bool {
        if !buffer.isEmpty { return true }
        var descriptors = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
        return poll(&descriptors, 1, Int32(seconds * 1000)) > 0
    }

    /// Reads one response; `bodyExpected: false` for HEAD.
    func readResponse(bodyExpected: Bool = true) throws -> Response {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.find([13, 10, 13, 10], in: buffer).map { $0 + 4 }
            if headEnd == nil && !fill() { throw Failure(description: "closed before a response head (\(buffer.count) bytes)") }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd!)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(description: "bad status line") }
        let headers = lines.map { line -> (String, String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = Response(status: status, headers: headers, body: Data())
        if status == 100 { return try readResponse(bodyExpected: bodyExpected) }
        guard bodyExpected, status != 204, status != 304 else { return response }
        if let length = response["Content-Length"].flatMap(Int.init) {
            while buffer.count < length {
                guard fill() else { throw Failure(description: "closed mid-body") }
            }
            response.body = Data(buffer[0..<length])
            buffer.removeFirst(length)
        } else {
            while fill() {}
            response.body = Data(buffer)
            buffer.removeAll()
        }
        return response
    }

    /// Reads until `text` has arrived; returns everything read so far (and consumes it).
    func read(until text: String) throws -> String {
        while Self.find(Array(text.utf8), in: buffer) == nil {
            guard fill() else { throw Failure(description: "closed or timed out waiting for \(text.debugDescription)") }
        }
        defer { buffer.removeAll() }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// True if the server closes (EOF or reset) within `seconds`, discarding anything it sends.
    func closedByPeer(within seconds: Double) -> Bool {
        setTimeout(seconds)
        defer { setTimeout(5) }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &chunk, chunk.count, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }

    /// Half-closes or fully closes our side.
    func shutdownWrite() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }
}
