import Foundation
import Synchronization
import Testing
@testable import SSCLService

/// Embed, neighbours, projection and items through the real server on a socket, with jobs the
/// real workers trained; the embeddings are checked against NumPy running the exported
/// `model.safetensors` on inputs preprocessed from its metadata.
@Suite(.serialized) struct APIRouterInferenceTests {
    typealias C = HTTPTestClient

    static func waitForStatus(_ f: ServiceFixture, _ id: String, _ statuses: Set<String>, timeout: Double = 120) throws -> [String: Any] {
        var job: [String: Any] = [:]
        let reached = try C.waitUntil(timeout) {
            job = try C.request("GET", "\(f.base)/v1/jobs/\(id)").json
            return statuses.contains(job["status"] as? String ?? "")
        }
        #expect(reached, "job \(id) did not reach \(statuses); it is \(job["status"] ?? "?")")
        return job
    }

    static func submit(_ f: ServiceFixture, _ body: String) throws -> String {
        let created = try C.request("POST", "\(f.base)/v1/jobs", body: body)
        #expect(created.status == 201, "\(created.text)")
        return try #require(created.json["id"] as? String)
    }

    static func json(_ rows: [[Double]], k: Int? = nil) -> String {
        let inputs = "[" + rows.map { "[" + $0.map { String($0) }.joined(separator: ",") + "]" }.joined(separator: ",") + "]"
        return k.map { "{\"inputs\": \(inputs), \"k\": \($0)}" } ?? "{\"inputs\": \(inputs)}"
    }

    static func embeddings(_ response: C.Response) -> [[Double]] {
        (response.json["embeddings"] as? [[Any]] ?? []).map { $0.compactMap { ($0 as? NSNumber)?.doubleValue } }
    }

    static let pythonHasNumpy: Bool = (try? runPython("import numpy", arguments: [])) != nil

    static func runPython(_ script: String, arguments: [String]) throws -> String {
        struct Failed: Error, CustomStringConvertible { var description: String }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failed(description: String(decoding: errors, as: UTF8.self)) }
        return String(decoding: data, as: UTF8.self)
    }

    /// An independent reader of the exported file (struct + json + NumPy, as in
    /// `SafetensorsFileTests`): applies the metadata's preprocessing, then the MLP encoder
    /// (every `encoder.N` Linear followed by ReLU), and prints the largest difference from the
    /// service's embeddings (argv[3]) relative to max(1, |value|).
    static let numpyEncoder = """
    import json, struct, sys, numpy as np
    raw = open(sys.argv[1], 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    h = json.loads(raw[8:8 + n]); meta = h.pop('__metadata__'); data = raw[8 + n:]
    t = {k: np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]], dtype='<f4').reshape(v['shape']) for k, v in h.items()}
    p = json.loads(meta['preprocessing'])
    x = np.array(json.load(open(sys.argv[2]))['inputs'], dtype=np.float32) * np.float32(p['scale'])
    if p.get('mean') is not None:
        x = (x - np.array(p['mean'], dtype=np.float32)) / np.array(p['std'], dtype=np.float32)
    x = x.astype(np.float64)
    layers = sorted({int(k.split('.')[1]) for k in t if k.startswith('encoder.') and k.endswith('.weight')})
    for i in layers:
        x = np.maximum(x @ t[f'encoder.{i}.weight'].astype(np.float64).T + t[f'encoder.{i}.bias'], 0)
    mine = np.array(json.loads(sys.argv[3]), dtype=np.float64)
    assert mine.shape == x.shape, (mine.shape, x.shape)
    print(float(np.max(np.abs(mine - x) / np.maximum(1, np.abs(x)))))
    """

    /// Checks the service's embeddings of `rows` against NumPy on the job's model file.
    static func checkAgainstNumPy(_ f: ServiceFixture, job id: String, rows: [[Double]], embeddings: [[Double]]) throws {
        let input = f.root.appendingPathComponent("inputs-\(id).json")
        try Data(json(rows).utf8).write(to: input)
        let model = f.root.appendingPathComponent("runs/\(id)/model.safetensors")
        let mine = String(decoding: try JSONSerialization.data(withJSONObject: embeddings), as: UTF8.self)
        let output = try runPython(numpyEncoder, arguments: [model.path, input.path, mine])
        let difference = try #require(Double(output.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(difference < 1e-5, "largest relative difference from NumPy: \(difference)")
    }

    /// Fashion-MNIST-mini: embed (JSON rows and a PNG), neighbours against a brute force over
    /// the train rows' embeddings, the projection and items, and the 4xx answers.
    @Test(.enabled(if: pythonHasNumpy))
    func imageJob() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let id = try Self.submit(f, ServiceFixture.tinyJob())
        let done = try Self.waitForStatus(f, id, ["succeeded", "failed"])
        #expect(done["status"] as? String == "succeeded", "\(done["error"] ?? "")")
        let base = "\(f.base)/v1/jobs/\(id)"

        // Raw pixel values as stored (0...255).
        let rows: [[Double]] = (0..<3).map { r in (0..<784).map { Double((r * 37 + $0 * 11) % 256) } }
        let embedded = try C.request("POST", "\(base)/embed", body: Self.json(rows))
        #expect(embedded.status == 200, "\(embedded.text)")
        let e = Self.embeddings(embedded)
        #expect(e.count == 3 && e.allSatisfy { $0.count == 32 })
        #expect(embedded.json["source"] as? String == "model" && embedded.json["step"] as? Int == 8)
        try Self.checkAgainstNumPy(f, job: id, rows: rows, embeddings: e)

        let unit = Self.embeddings(try C.request("POST", "\(base)/embed?normalize=true", body: Self.json(rows)))
        for (u, v) in zip(unit, e) {
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for (a, b) in zip(u, v) { #expect(abs(a - b / norm) < 1e-6) }
        }

        // A 56 x 56 PNG of grey 51 is resized to 28 x 28 of 51: the same as the raw row.
        let png = try C.request("POST", "\(base)/embed", data: Data(ArchiveBuilder.png(width: 56, height: 56, value: 51)),
                                contentType: "image/png")
        #expect(png.status == 200, "\(png.text)")
        let flat = Self.embeddings(try C.request("POST", "\(base)/embed", body: Self.json([[Double](repeating: 51, count: 784)])))
        for (a, b) in zip(Self.embeddings(png).first ?? [], flat.first ?? []) { #expect(abs(a - b) < 1e-5) }

        // Neighbours against a brute force: every train row's pixels (from items), embedded.
        var trainRows: [[Double]] = []
        var trainLabels: [Int] = []
        for i in 0..<128 {
            let item = try C.request("GET", "\(base)/items/\(i)?split=train&k=1").json
            let image = try #require(item["image"] as? [String: Any])
            trainRows.append((image["pixels"] as? [Int] ?? []).map(Double.init))
            trainLabels.append(item["label"] as? Int ?? -1)
        }
        #expect(trainRows.allSatisfy { $0.count == 784 })
        let trainEmbeddings = Self.embeddings(try C.request("POST", "\(base)/embed?normalize=true", body: Self.json(trainRows)))
        let response = try C.request("POST", "\(base)/neighbors", body: Self.json(rows, k: 5))
        #expect(response.status == 200, "\(response.text)")
        let found = try #require(response.json["neighbors"] as? [[[String: Any]]])
        #expect(found.count == 3)
        for (q, matches) in zip(unit, found) {
            let sims = trainEmbeddings.enumerated().map { ($0.offset, zip(q, $0.element).reduce(0) { $0 + $1.0 * $1.1 }) }
            let best = sims.sorted { $0.1 > $1.1 }.prefix(5)
            #expect(matches.count == 5)
            for (m, b) in zip(matches, best) {
                #expect(abs((m["similarity"] as? Double ?? 9) - b.1) < 1e-4)
                let index = m["index"] as? Int ?? -1
                #expect(index == b.0 || abs(sims[index].1 - b.1) < 1e-5, "a different row only on a tie")
                #expect(m["label"] as? Int == trainLabels[index])
                #expect(m["class_name"] is String)
            }
        }

        // Projection: every test row of the mini set (at most 2000), two variance shares.
        let projection = try C.request("GET", "\(base)/projection")
        #expect(projection.status == 200, "\(projection.text)")
        let points = try #require(projection.json["points"] as? [[String: Any]])
        #expect(points.count > 0 && points.count <= 2000)
        #expect(Set(points.compactMap { $0["index"] as? Int }).count == points.count)
        let variance = try #require(projection.json["explained_variance"] as? [Double])
        #expect(variance.count == 2 && variance[0] >= variance[1] && variance[1] > 0 && variance[0] + variance[1] <= 1 + 1e-9)
        #expect(projection.json["method"] as? String == "pca" && projection.json["step"] as? Int == 8)
        #expect((projection.json["class_names"] as? [String])?.count == 10)

        // Items: a test row with 5 train neighbours, the same as /neighbors of its pixels.
        let item = try C.request("GET", "\(base)/items/0?k=5")
        #expect(item.status == 200, "\(item.text)")
        let pixels = ((item.json["image"] as? [String: Any])?["pixels"] as? [Int] ?? []).map(Double.init)
        let viaNeighbors = try C.request("POST", "\(base)/neighbors", body: Self.json([pixels], k: 5)).json["neighbors"] as? [[[String: Any]]]
        #expect((item.json["neighbors"] as? [[String: Any]])?.compactMap { $0["index"] as? Int }
                == viaNeighbors?.first?.compactMap { $0["index"] as? Int })
        #expect(item.json["label"] as? Int == points.first { $0["index"] as? Int == 0 }?["label"] as? Int)
        // A train row is not its own neighbour.
        let trainItem = try C.request("GET", "\(base)/items/7?split=train&k=3").json
        #expect((trainItem["neighbors"] as? [[String: Any]])?.count == 3)
        #expect((trainItem["neighbors"] as? [[String: Any]])?.contains { $0["index"] as? Int == 7 } == false)

        // Bad input: 4xx naming the field.
        func field(_ r: C.Response) -> String? { ((r.json["error"] as? [String: Any])?["details"] as? [[String: Any]])?.first?["path"] as? String }
        let narrow = try C.request("POST", "\(base)/embed", body: Self.json([[1, 2, 3]]))
        #expect(narrow.status == 422 && field(narrow) == "inputs[0]", "\(narrow.text)")
        let huge = try C.request("POST", "\(base)/embed", body: "{\"inputs\": [[" + String(repeating: "0,", count: 783) + "1e39]]}")
        #expect(huge.status == 422 && field(huge) == "inputs[0][783]", "\(huge.text)")
        let none = try C.request("POST", "\(base)/embed", body: "{\"inputs\": []}")
        #expect(none.status == 422 && field(none) == "inputs")
        let many = try C.request("POST", "\(base)/embed", body: Self.json(Array(repeating: [0], count: 1025)))
        #expect(many.status == 422 && field(many) == "inputs")
        let wrongType = try C.request("POST", "\(base)/embed", body: "{\"inputs\": [[1, \"a\"]]}")
        #expect(wrongType.status == 400 && field(wrongType) == "inputs[0][1]", "\(wrongType.text)")
        let missing = try C.request("POST", "\(base)/embed", body: "{}")
        #expect(missing.status == 400 && field(missing) == "inputs")
        let badK = try C.request("POST", "\(base)/neighbors", body: Self.json(rows, k: 0))
        #expect(badK.status == 422 && field(badK) == "k")
        #expect(try C.request("POST", "\(base)/neighbors?k=101", body: Self.json(rows)).status == 400)
        #expect(try C.request("POST", "\(base)/embed", body: "x", contentType: "text/plain").status == 415)
        #expect(try C.request("POST", "\(base)/embed", data: Data([1, 2, 3]), contentType: "image/png").status == 422)
        let beyond = try C.request("GET", "\(base)/items/100000")
        #expect(beyond.status == 404 && beyond.text.contains("no item 100000 in the test split"), "\(beyond.text)")
        #expect(try C.request("GET", "\(base)/items/x").status == 404)
        #expect(try C.request("POST", "\(f.base)/v1/jobs/job_0000000000000/embed", body: Self.json(rows)).status == 404)
    }

    /// A CSV job: the service standardises raw rows with the train statistics, as NumPy does
    /// from the metadata; an item's values are its raw CSV values.
    @Test(.enabled(if: pythonHasNumpy))
    func tabularJob() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        try FileManager.default.createDirectory(at: f.root.appendingPathComponent("data"), withIntermediateDirectories: true)
        var csv = "a,b,c,label\n"
        for i in 0..<120 { csv += "\(i % 7),\(1000 + (i * 37) % 500),\(Double(i % 5) * 0.01),\(i % 3)\n" }
        try Data(csv.utf8).write(to: f.root.appendingPathComponent("data/t.csv"))
        let id = try Self.submit(f, """
            {"dataset": {"format": "csv", "train": "t.csv"}, "model": {"hidden": [16], "projection": [8]},
             "loss": {"kind": "ntxent"}, "epochs": 2, "batch_size": 16, "eval": {"knn_k": 5, "linear_probe": false}}
            """)
        let done = try Self.waitForStatus(f, id, ["succeeded", "failed"])
        #expect(done["status"] as? String == "succeeded", "\(done["error"] ?? "")")
        let base = "\(f.base)/v1/jobs/\(id)"
        let rows: [[Double]] = [[3, 1200, 0.02], [0, 1000, 0], [6, 1499, 0.04]]
        let embedded = try C.request("POST", "\(base)/embed", body: Self.json(rows))
        #expect(embedded.status == 200, "\(embedded.text)")
        let e = Self.embeddings(embedded)
        #expect(e.count == 3 && e.allSatisfy { $0.count == 16 })
        try Self.checkAgainstNumPy(f, job: id, rows: rows, embeddings: e)

        let item = try C.request("GET", "\(base)/items/0?split=train").json
        let values = try #require(item["values"] as? [Double])
        let lines = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",").prefix(3).compactMap { Double($0) } }
        #expect(lines.contains { zip($0, values).allSatisfy { abs($0 - $1) < 1e-3 * max(1, abs($0)) } }, "\(values)")
        #expect(item["image"] == nil)
    }

    /// A queued job has no weights (409); a running one is served from its checkpoint, by
    /// many requests at once, while it trains.
    @Test func noWeightsIs409AndConcurrentEmbedsDuringTraining() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let running = try Self.submit(f, ServiceFixture.tinyJob(name: "long", epochs: 5000))
        let queued = try Self.submit(f, ServiceFixture.tinyJob(name: "queued"))
        let base = "\(f.base)/v1/jobs/\(running)"
        let row = Self.json([(0..<784).map { Double($0 % 256) }])
        let early = try C.request("POST", "\(f.base)/v1/jobs/\(queued)/embed", body: row)
        #expect(early.status == 409 && (early.json["error"] as? [String: Any])?["code"] as? String == "no_model", "\(early.text)")
        #expect(try C.request("GET", "\(f.base)/v1/jobs/\(queued)/projection").status == 409)

        // Served once the first checkpoint exists, while the job still trains.
        #expect(try C.waitUntil(60) { try C.request("POST", "\(base)/embed", body: row).status == 200 })
        let statuses = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let body = i % 2 == 0 ? row : Self.json([[Double](repeating: 3, count: 784)], k: 3)
            let path = i % 2 == 0 ? "embed" : "neighbors"
            let status = (try? C.request("POST", "\(base)/\(path)", body: body).status) ?? -1
            statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0 } == [Int](repeating: 200, count: 16))
        let job = try C.request("GET", base).json
        #expect(job["status"] as? String == "running", "the job should still be training")
        let embedded = try C.request("POST", base + "/embed", body: row)
        #expect(embedded.json["source"] as? String == "checkpoint")
        #expect(try C.request("GET", base + "/projection").status == 200)
        _ = try C.request("POST", "\(base)/cancel", body: nil)
    }
}
