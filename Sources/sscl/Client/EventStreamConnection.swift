import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One connection to an event stream: URLSession's data delegate feeds the bytes to a
/// `ServerSentEventParser` as they arrive (a completion handler would wait for the end).
/// Every callback runs on one serial queue, which is what guards the state below; `run`
/// reads it only after the completion signal.
final class EventStreamConnection: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Outcome: Sendable {
        /// The server ended the stream (or `onEvent` asked to stop).
        case ended
        /// The connection broke or went silent after the stream had started.
        case dropped(String)
        /// No stream: the server could not be reached or answered with an error.
        case failed(ClientError)
    }

    private let server: String
    private let request: URLRequest
    private let onEvent: @Sendable (ServerSentEvent) -> Bool
    private let done = DispatchSemaphore(value: 0)
    private var parser = ServerSentEventParser()
    private var status = 0
    private var errorBody = Data()
    private var stopped = false
    private var outcome = Outcome.ended

    /// The server's `retry:` in milliseconds, once `run` has returned.
    var retryMilliseconds: Int? { parser.retryMilliseconds }

    init(server: String, request: URLRequest, onEvent: @escaping @Sendable (ServerSentEvent) -> Bool) {
        self.server = server
        self.request = request
        self.onEvent = onEvent
    }

    func run() -> Outcome {
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = request.timeoutInterval
        configuration.timeoutIntervalForResource = 7 * 24 * 3600
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
        session.dataTask(with: request).resume()
        done.wait()
        session.finishTasksAndInvalidate()  // releases the delegate
        return outcome
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard !stopped else { return }
        guard status == 200 else {
            if errorBody.count < 64 * 1024 { errorBody.append(data) }
            return
        }
        for event in parser.feed(data) where !onEvent(event) {
            stopped = true
            dataTask.cancel()
            return
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let name = "GET \(request.url?.path ?? "")"
        if status != 0 && status != 200 {
            let response = APIClient.Response(status: status, body: errorBody)
            do {
                try APIClient.check(response, request: name)
                outcome = .failed(.server(status: status, request: name, body: nil, text: "not an event stream"))
            } catch let error as ClientError {
                outcome = .failed(error)
            } catch {
                outcome = .failed(.local("\(error)"))
            }
        } else if stopped || error == nil {
            outcome = .ended
        } else if status == 0 {
            outcome = .failed(.unreachable(server: server, reason: APIClient.reason(error!)))
        } else {
            outcome = .dropped(APIClient.reason(error!))
        }
        done.signal()
    }
}
