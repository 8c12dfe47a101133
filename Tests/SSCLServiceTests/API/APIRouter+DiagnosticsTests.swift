import Foundation
import SSCLEngine
import Testing
@testable import SSCLService

/// The false-negative diagnostics from a real worker to the API: rates as metric series,
/// histograms as `similarity_histogram` events, on the stream and from their endpoint.
@Suite(.serialized) struct APIRouterDiagnosticsTests {
    typealias C = HTTPTestClient

    /// 128 rows in batches of 32: 4 steps per epoch, 8 in all; measured at steps 2, 4, 6, 8.
    static func job(loss: String) -> String {
        """
        {"name": "diagnostics", "dataset": {"name": "fashion-mnist-mini", "train_limit": 128},
         "model": {"hidden": [32], "projection": [16, 8]}, "loss": \(loss),
         "epochs": 2, "batch_size": 32, "eval": {"knn_k": 10, "linear_probe": false, "diagnostics_every": 2}}
        """
    }

    @Test func ratesAndHistogramsReachTheStoreTheStreamAndTheAPI() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let sscl = try #require(try C.request("POST", "\(f.base)/v1/jobs",
                                              body: Self.job(loss: #"{"kind": "sscl", "hard_pool": 8, "synthetic": 4}"#))
            .json["id"] as? String)
        let ntxent = try #require(try C.request("POST", "\(f.base)/v1/jobs", body: Self.job(loss: #"{"kind": "ntxent"}"#))
            .json["id"] as? String)
        for id in [sscl, ntxent] {
            #expect(C.waitUntil(120) { (try? f.service.store.job(id: id))?.status.isFinished ?? false })
            #expect(try f.service.store.job(id: id)?.status == .succeeded)
        }

        // The rates: metric series keyed by step, like the loss.
        func series(_ id: String, _ name: String) throws -> [Int]? {
            let metrics = try C.request("GET", "\(f.base)/v1/jobs/\(id)/metrics?name=\(name)").json["metrics"] as? [[String: Any]]
            return (metrics?.first?["points"] as? [[String: Any]])?.compactMap { $0["step"] as? Int }
        }
        for name in ["fn_rate_all", "fn_rate_hard", "fn_rate_synthetic_one", "fn_rate_synthetic_both", "fn_weight_share"] {
            #expect(try series(sscl, name) == [2, 4, 6, 8], "\(name)")
        }
        #expect(try series(ntxent, "fn_rate_all") == [2, 4, 6, 8])
        #expect(try series(ntxent, "fn_rate_hard") == nil, "NT-Xent has no hard pool: absent, not zero")

        // The histograms, oldest first, `last` of them.
        let body = try C.request("GET", "\(f.base)/v1/jobs/\(sscl)/similarity_histograms")
        #expect(body.status == 200)
        let list = try JSONDecoder().decode(HistogramList.self, from: body.body)
        #expect(list.histograms.map(\.step) == [2, 4, 6, 8])
        #expect(list.histograms.map(\.epoch) == [1, 1, 2, 2])
        for histogram in list.histograms {
            #expect(histogram.binEdges == SimilarityHistogram.edges && histogram.binEdges.count == 41)
            // 2B = 64 anchors, each with 62 negatives, s = 8 hard and k = 4 synthetic ones.
            #expect(histogram.positives.reduce(0, +) == 64 && histogram.negatives.reduce(0, +) == 64 * 62)
            #expect(histogram.hard?.reduce(0, +) == 64 * 8 && histogram.synthetic?.reduce(0, +) == 64 * 4)
        }
        let lastTwo = try JSONDecoder().decode(
            HistogramList.self, from: C.request("GET", "\(f.base)/v1/jobs/\(sscl)/similarity_histograms?last=2").body)
        #expect(lastTwo.histograms.map(\.step) == [6, 8])
        let plain = try JSONDecoder().decode(
            HistogramList.self, from: C.request("GET", "\(f.base)/v1/jobs/\(ntxent)/similarity_histograms").body)
        #expect(plain.histograms.count == 4 && plain.histograms.allSatisfy { $0.hard == nil && $0.synthetic == nil })
        let raw = String(decoding: try C.request("GET", "\(f.base)/v1/jobs/\(ntxent)/similarity_histograms?last=1").body, as: UTF8.self)
        #expect(!raw.contains("\"hard\"") && !raw.contains("null"), "absent, not null: \(raw)")

        // result.json: the means and the last histogram.
        let result = try #require(try C.request("GET", "\(f.base)/v1/jobs/\(sscl)").json["result"] as? [String: Any])
        let diagnostics = try #require(result["diagnostics"] as? [String: Any])
        #expect(diagnostics["fn_rate_hard"] is Double && diagnostics["measurements"] as? Int == 4)
        #expect((diagnostics["histogram"] as? [String: Any])?["step"] as? Int == 8)

        // The stream: `event: similarity_histogram` with the histogram as its data.
        let events = C.raw(port: f.port, "GET /v1/jobs/\(sscl)/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout: 10)
        let lines = events.split(separator: "\n", omittingEmptySubsequences: false)
        var streamed: [SimilarityHistogram] = []
        for (index, line) in lines.enumerated() where line == "event: similarity_histogram" {
            let data = try #require(lines[(index + 1)...].first { $0.hasPrefix("data: ") })
            streamed.append(try JSONDecoder().decode(SimilarityHistogram.self, from: Data(data.dropFirst(6).utf8)))
        }
        #expect(streamed == list.histograms)
        #expect(events.contains("\"fn_rate_hard\""), "the rates arrive as metric events")

        #expect(try C.request("GET", "\(f.base)/v1/jobs/\(sscl)/similarity_histograms?last=0").status == 400)
        #expect(try C.request("GET", "\(f.base)/v1/jobs/job_0000000000000/similarity_histograms").status == 404)
    }

    struct HistogramList: Decodable {
        var histograms: [SimilarityHistogram]
        var last_event_id: Int64
    }
}
