#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the server could not start.
public enum HTTPServerError: Error, CustomStringConvertible {
    case resolve(host: String, message: String)
    case bind(host: String, port: Int, message: String)
    case system(String, Int32)
    case alreadyStarted

    public var description: String {
        switch self {
        case .resolve(let host, let message): "cannot resolve \(host): \(message)"
        case .bind(let host, let port, let message): "cannot listen on \(host):\(port): \(message)"
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        case .alreadyStarted: "the server was already started"
        }
    }
}
