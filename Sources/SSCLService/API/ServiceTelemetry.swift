import Foundation
import SSCLStore

/// Counters for `/metrics` (Prometheus text format 0.0.4): requests by method and status,
/// a latency histogram, jobs by status, queue depth and training throughput.
final class ServiceTelemetry: @unchecked Sendable {
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
    private let lock = NSLock()
    private var requests: [String: Int] = [:]        // "method|status" -> count
    private var bucketCounts = [Int](repeating: 0, count: ServiceTelemetry.buckets.count)
    private var latencySum = 0.0
    private var latencyCount = 0

    func record(method: String, status: Int, seconds: Double) {
        lock.lock(); defer { lock.unlock() }
        requests["\(method)|\(status)", default: 0] += 1
        for (i, b) in Self.buckets.enumerated() where seconds <= b { bucketCounts[i] += 1 }
        latencySum += seconds
        latencyCount += 1
    }

    func prometheusText(jobCounts: [JobStatus: Int], trainingImagesPerSecond: Double, openStreams: Int) -> String {
        lock.lock(); defer { lock.unlock() }
        var out = "# HELP sscl_jobs Jobs by status.\n# TYPE sscl_jobs gauge\n"
        for s in JobStatus.allCases { out += "sscl_jobs{status=\"\(s.rawValue)\"} \(jobCounts[s] ?? 0)\n" }
        out += "# HELP sscl_queue_depth Jobs waiting to run.\n# TYPE sscl_queue_depth gauge\n"
        out += "sscl_queue_depth \(jobCounts[.queued] ?? 0)\n"
        out += "# HELP sscl_training_images_per_second Inputs per second over the running jobs' latest steps.\n"
        out += "# TYPE sscl_training_images_per_second gauge\nsscl_training_images_per_second \(trainingImagesPerSecond)\n"
        out += "# HELP sscl_event_streams Open event streams.\n# TYPE sscl_event_streams gauge\nsscl_event_streams \(openStreams)\n"
        out += "# HELP sscl_http_requests_total HTTP requests by method and status.\n# TYPE sscl_http_requests_total counter\n"
        for key in requests.keys.sorted() {
            let parts = key.split(separator: "|")
            out += "sscl_http_requests_total{method=\"\(parts[0])\",status=\"\(parts[1])\"} \(requests[key]!)\n"
        }
        out += "# HELP sscl_http_request_duration_seconds Time to handle a request.\n"
        out += "# TYPE sscl_http_request_duration_seconds histogram\n"
        for (i, b) in Self.buckets.enumerated() {
            out += "sscl_http_request_duration_seconds_bucket{le=\"\(b)\"} \(bucketCounts[i])\n"
        }
        out += "sscl_http_request_duration_seconds_bucket{le=\"+Inf\"} \(latencyCount)\n"
        out += "sscl_http_request_duration_seconds_sum \(latencySum)\n"
        out += "sscl_http_request_duration_seconds_count \(latencyCount)\n"
        return out
    }
}
