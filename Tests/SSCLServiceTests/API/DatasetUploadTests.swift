import Foundation
import Testing
@testable import SSCLService

/// `POST /v1/datasets` and friends through the real server: streamed to disk past the
/// in-memory cap, limits, unsafe archives refused, duplicates, delete while in use, and an
/// uploaded CSV trained to the end.
@Suite(.serialized) struct DatasetUploadTests {
    typealias C = HTTPTestClient

    static func upload(_ f: ServiceFixture, _ name: String, _ format: String, _ body: Data, extra: String = "",
                       contentType: String = "application/octet-stream") throws -> C.Response {
        try C.request("POST", "\(f.base)/v1/datasets?name=\(name)&format=\(format)\(extra)", data: body, contentType: contentType)
    }

    /// A separable three-class CSV of `rows` rows.
    static func csv(rows: Int, padding: Int = 0) -> Data {
        var text = "a,b,c,d,label\n"
        for i in 0..<rows {
            let label = i % 3
            let pad = padding > 0 ? String(format: "%.\(padding)f", Double(i % 97) / 97) : String(i % 97)
            text += "\(Double(label) * 2 + Double(i % 7) * 0.1),\(pad),\(Double(i % 13) * 0.01),\(label == 1 ? 1 : 0),c\(label)\n"
        }
        return Data(text.utf8)
    }

    static func sha256sum(_ url: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: out, as: UTF8.self).prefix(64))
    }

    @Test func aCSVBiggerThanTheBodyCapIsStreamedCheckedAndSummarised() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let body = Self.csv(rows: 45_000, padding: 16)
        #expect(body.count > 1 << 20 && body.count > f.service.configuration.maxBodyBytes)
        let response = try Self.upload(f, "big", "csv", body, contentType: "text/csv")
        #expect(response.status == 201, "\(response.text)")
        #expect(response.headers["location"] == "/v1/datasets/big")
        let summary = response.json
        #expect(summary["rows"] as? Int == 45_000)
        #expect(summary["features"] as? Int == 4)
        #expect(summary["classes"] as? [String] == ["c0", "c1", "c2"])
        #expect(summary["class_counts"] as? [Int] == [15_000, 15_000, 15_000])
        #expect(summary["imputed_values"] as? Int == 0)
        #expect(summary["bytes"] as? Int == body.count)
        let stored = f.root.appendingPathComponent("data/uploads/big/data.csv")
        #expect(try Data(contentsOf: stored) == body, "the body is on disk byte for byte")
        #expect(summary["sha256"] as? String == (try Self.sha256sum(stored)))
        let incoming = f.root.appendingPathComponent("data/uploads/.incoming")
        #expect((try FileManager.default.contentsOfDirectory(atPath: incoming.path)).isEmpty, "nothing left in the spool")

        let one = try C.request("GET", "\(f.base)/v1/datasets/big")
        #expect(one.status == 200 && one.json["sha256"] as? String == summary["sha256"] as? String)
        let list = try C.request("GET", "\(f.base)/v1/datasets").json["datasets"] as? [[String: Any]] ?? []
        #expect(list.contains { $0["name"] as? String == "digits" && $0["builtin"] as? Bool == true })
        #expect(list.contains { $0["name"] as? String == "big" && $0["builtin"] as? Bool == false && $0["rows"] as? Int == 45_000 })
        #expect(try C.request("GET", "\(f.base)/v1/datasets/nope").status == 404)
    }

    @Test func missingValuesAreCountedAndABadFileIs422() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        var text = "x,y,label\n"
        for i in 0..<40 { text += (i == 3 ? "?" : "\(i)") + ",\(i % 5),\(i % 2 == 0 ? "even" : "odd")\n" }
        let ok = try Self.upload(f, "gaps", "csv", Data(text.utf8))
        #expect(ok.status == 201, "\(ok.text)")
        #expect(ok.json["imputed_values"] as? Int == 1)
        let bad = try Self.upload(f, "bad", "csv", Data("x,y\n1,2\n".utf8))
        #expect(bad.status == 422)
        #expect(bad.text.contains("invalid_dataset") && bad.text.contains("label"), "\(bad.text)")
        #expect(!bad.text.contains(".incoming") && bad.text.contains("the upload"), "the error names the upload, not a server path")
        let badName = try Self.upload(f, "..", "csv", Data(text.utf8))
        #expect(badName.status == 400 && badName.text.contains("name"))
        let builtin = try Self.upload(f, "digits", "csv", Data(text.utf8))
        #expect(builtin.status == 409)
        let noFormat = try C.request("POST", "\(f.base)/v1/datasets?name=x", data: Data(text.utf8))
        #expect(noFormat.status == 400 && noFormat.text.contains("format"))
    }

    @Test func aBodyOverMaxUploadBytesIs413() throws {
        let f = try ServiceFixture { $0.maxUploadBytes = 100_000 }
        defer { f.stop() }
        let response = try Self.upload(f, "big", "csv", Self.csv(rows: 10_000))
        #expect(response.status == 413)
        #expect(response.text.contains("100000"))
        let fits = try Self.upload(f, "small", "csv", Self.csv(rows: 300))
        #expect(fits.status == 201)
    }

    @Test func duplicateNamesAre409UnlessReplaced() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        #expect(try Self.upload(f, "iris", "csv", Self.csv(rows: 90)).status == 201)
        let again = try Self.upload(f, "iris", "csv", Self.csv(rows: 60))
        #expect(again.status == 409 && again.text.contains("replace=true"))
        #expect(try C.request("GET", "\(f.base)/v1/datasets/iris").json["rows"] as? Int == 90)
        let replaced = try Self.upload(f, "iris", "csv", Self.csv(rows: 60), extra: "&replace=true")
        #expect(replaced.status == 201)
        #expect(try C.request("GET", "\(f.base)/v1/datasets/iris").json["rows"] as? Int == 60)
    }

    @Test func arffAndNpzUploadsAreLoadedAndSummarised() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        var arff = "% weather\n@relation weather\n@attribute temp numeric\n@attribute outlook {sunny, rainy}\n"
            + "@attribute note string\n@attribute play {yes, no}\n@data\n"
        for i in 0..<30 { arff += "\(i == 4 ? "?" : String(i)),\(i % 2 == 0 ? "sunny" : "rainy"),'x',\(i % 3 == 0 ? "no" : "yes")\n" }
        let a = try Self.upload(f, "weather", "arff", Data(arff.utf8), contentType: "text/plain")
        #expect(a.status == 201, "\(a.text)")
        #expect(a.json["classes"] as? [String] == ["yes", "no"])
        #expect(a.json["class_counts"] as? [Int] == [20, 10])
        #expect(a.json["imputed_values"] as? Int == 1)
        #expect(a.json["dropped_columns"] as? [String] == ["note"])
        #expect((a.json["source"] as? [String: Any])?["train"] as? String == "uploads/weather/data.arff")

        // x: 24 rows of 3 float32 values; y: int64 labels 0, 1, 2.
        var x: [UInt8] = [], y: [UInt8] = []
        for i in 0..<24 {
            for j in 0..<3 { withUnsafeBytes(of: Float(i * 3 + j).bitPattern.littleEndian) { x += $0 } }
            withUnsafeBytes(of: Int64(i % 3).littleEndian) { y += $0 }
        }
        let npz = try ArchiveBuilder.zip([.file("x.npy", ArchiveBuilder.npy(descr: "<f4", shape: [24, 3], data: x)),
                                          .file("y.npy", ArchiveBuilder.npy(descr: "<i8", shape: [24], data: y), deflate: true)])
        let n = try Self.upload(f, "arrays", "npz", npz)
        #expect(n.status == 201, "\(n.text)")
        #expect(n.json["rows"] as? Int == 24 && n.json["features"] as? Int == 3)
        #expect(n.json["class_counts"] as? [Int] == [8, 8, 8])
        #expect((n.json["source"] as? [String: Any])?["kind"] as? String == "tabular")
        let broken = try Self.upload(f, "broken", "npz", Data("PK not really".utf8))
        #expect(broken.status == 422, "\(broken.text)")
    }

    // MARK: - Archives

    static let cat = ArchiveBuilder.png(width: 4, height: 4, value: 10)
    static let dog = ArchiveBuilder.png(width: 4, height: 4, value: 200)

    @Test func anImageFolderArchiveIsUnpackedInEachFormat() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        let tar = ArchiveBuilder.tar([.directory("pets/"), .directory("pets/cat/"), .file("pets/cat/a.png", Self.cat),
                                      .file("pets/cat/b.png", Self.cat), .file("pets/dog/c.png", Self.dog)])
        // As macOS's Finder makes them: __MACOSX/ and ._ resource forks beside the classes (not extracted).
        let zip = try ArchiveBuilder.zip([.file("cat/a.png", Data(Self.cat)), .file("dog/b.png", Data(Self.dog), deflate: true),
                                          .file("dog/c.png", Data(Self.dog)), .file("__MACOSX/cat/._a.png", Data("fork".utf8)),
                                          .file("dog/._c.png", Data("fork".utf8))])
        for (name, body, type) in [("tarred", tar, "application/x-tar"), ("gzipped", try ArchiveBuilder.gzip(tar), "application/gzip"),
                                   ("zipped", zip, "application/zip")] {
            let response = try Self.upload(f, name, "imagefolder", body, contentType: type)
            #expect(response.status == 201, "\(name): \(response.text)")
            #expect(response.json["classes"] as? [String] == ["cat", "dog"])
            let counts = response.json["class_counts"] as? [Int]
            #expect(counts == (name == "zipped" ? [1, 2] : [2, 1]), "\(name)")
            let source = response.json["source"] as? [String: Any]
            #expect(source?["format"] as? String == "imagefolder")
            let path = try #require(source?["path"] as? String)
            #expect(path == (name == "zipped" ? "uploads/zipped/images" : "uploads/\(name)/images/pets"))
            #expect(FileManager.default.fileExists(atPath: f.root.appendingPathComponent("data/\(path)/cat").path))
            #expect(response.json["image_shape"] as? [Int] == [3, 32, 32], "decoded by the engine at the job defaults")
        }
        // Decoded, not only laid out: a file that is no PNG is named.
        let corrupt = ArchiveBuilder.tar([.file("cat/a.png", Self.cat), .file("dog/b.png", Array("not a png".utf8))])
        let refused = try Self.upload(f, "corrupt", "imagefolder", corrupt)
        #expect(refused.status == 422 && refused.text.contains("b.png"), "\(refused.text)")
        #expect(!refused.text.contains(".incoming"), "\(refused.text)")
        let flat = ArchiveBuilder.tar([.file("x/a.png", Self.cat), .file("x/b.png", Self.dog)])
        let layout = try Self.upload(f, "flat", "imagefolder", flat)
        #expect(layout.status == 422 && layout.text.contains("class folders"), "\(layout.text)")
    }

    /// Each unsafe archive is refused with a 422 naming the problem, and nothing is left behind
    /// (not even inside the data directory, nor outside it).
    @Test func unsafeArchivesAreRefused() throws {
        let f = try ServiceFixture { $0.archiveLimits = ArchiveLimits(maxEntries: 20, maxExpansionRatio: 100) }
        defer { f.stop() }
        let zeros = Data(count: 20 << 20)
        let manyFiles = (0..<30).map { ArchiveBuilder.TarEntry.file("c\($0 % 2)/\($0).png", Self.cat) }
        let cases: [(String, Data, String)] = [
            ("zip slip", try ArchiveBuilder.zip([.file("cat/a.png", Data(Self.cat)), .file("../evil.png", Data(Self.cat))]),
             "path_traversal"),
            ("tar slip", ArchiveBuilder.tar([.file("cat/../../evil.png", Self.cat)]), "path_traversal"),
            ("tar absolute", ArchiveBuilder.tar([.file("/tmp/evil-\(UUID().uuidString).png", Self.cat)]), "absolute_path"),
            ("zip symlink", try ArchiveBuilder.zip([.file("cat/a.png", Data(Self.cat)), .symlink("dog/b.png", target: "/etc/passwd")]),
             "link_entry"),
            ("tar symlink", ArchiveBuilder.tar([.file("cat/a.png", Self.cat), .symlink("dog/b.png", target: "/etc/passwd")]),
             "link_entry"),
            ("tar hardlink", ArchiveBuilder.tar([.file("cat/a.png", Self.cat), .hardlink("dog/b.png", target: "/etc/passwd")]),
             "link_entry"),
            ("pax", ArchiveBuilder.tar([.paxHeader, .file("cat/a.png", Self.cat)]), "unsupported_archive"),
            ("gnu long name", ArchiveBuilder.tar([.gnuLongName, .file("cat/a.png", Self.cat)]), "unsupported_archive"),
            ("zip bomb", try ArchiveBuilder.zip([.file("cat/a.png", zeros, deflate: true)]), "expansion_too_large"),
            ("tar.gz bomb", try ArchiveBuilder.gzip(ArchiveBuilder.tar([.file("cat/a.png", [UInt8](zeros))])), "expansion_too_large"),
            ("too many entries", ArchiveBuilder.tar(manyFiles), "too_many_entries"),
            ("not an archive", Data("hello".utf8), "unsupported_archive"),
        ]
        for (label, body, code) in cases {
            let response = try Self.upload(f, "bad", "imagefolder", body)
            #expect(response.status == 422, "\(label): \(response.status) \(response.text)")
            #expect(response.json["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == code
                    || response.text.contains("\"\(code)\""), "\(label): \(response.text)")
        }
        let data = f.root.appendingPathComponent("data")
        #expect(!FileManager.default.fileExists(atPath: f.root.appendingPathComponent("evil.png").path))
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("evil.png").path))
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("uploads/bad").path))
        #expect((try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("uploads/.incoming").path)).isEmpty)
    }

    // MARK: - Jobs

    static func job(dataset: String, epochs: Int) -> String {
        """
        {"name": "on-upload", "dataset": {"name": "\(dataset)", "test_fraction": 0.25},
         "model": {"encoder": "mlp", "hidden": [8], "projection": [8, 4]}, "epochs": \(epochs), "batch_size": 32,
         "eval": {"linear_probe": false, "knn_k": 3}}
        """
    }

    @Test func anUploadedCSVTrainsThroughTheAPI() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        #expect(try Self.upload(f, "rows", "csv", Self.csv(rows: 150), contentType: "text/csv").status == 201)
        let created = try C.request("POST", "\(f.base)/v1/jobs", body: Self.job(dataset: "rows", epochs: 2))
        #expect(created.status == 201, "\(created.text)")
        let dataset = (created.json["job"] as? [String: Any])?["dataset"] as? [String: Any]
        #expect(dataset?["format"] as? String == "csv")
        #expect(dataset?["train"] as? String == "uploads/rows/data.csv")
        let id = try #require(created.json["id"] as? String)
        var job: [String: Any] = [:]
        #expect(try C.waitUntil(120) {
            job = try C.request("GET", "\(f.base)/v1/jobs/\(id)").json
            return ["succeeded", "failed", "cancelled"].contains(job["status"] as? String ?? "")
        })
        #expect(job["status"] as? String == "succeeded", "\(job["error"] ?? "")")
        #expect((job["result"] as? [String: Any])?["knn_accuracy"] is Double)
        let unknown = try C.request("POST", "\(f.base)/v1/jobs", body: Self.job(dataset: "nope", epochs: 1))
        #expect(unknown.status == 422 && unknown.text.contains("dataset.name"))
    }

    @Test func anUploadInUseCannotBeDeletedOrReplaced() throws {
        let f = try ServiceFixture()
        defer { f.stop() }
        #expect(try Self.upload(f, "busy", "csv", Self.csv(rows: 150)).status == 201)
        let created = try C.request("POST", "\(f.base)/v1/jobs", body: Self.job(dataset: "busy", epochs: 5000))
        let id = try #require(created.json["id"] as? String)
        let refused = try C.request("DELETE", "\(f.base)/v1/datasets/busy")
        #expect(refused.status == 409 && refused.text.contains(id), "\(refused.text)")
        let replace = try Self.upload(f, "busy", "csv", Self.csv(rows: 60), extra: "&replace=true")
        #expect(replace.status == 409)
        _ = try C.request("POST", "\(f.base)/v1/jobs/\(id)/cancel", body: "{}")
        #expect(try C.waitUntil(60) {
            try C.request("GET", "\(f.base)/v1/jobs/\(id)").json["status"] as? String == "cancelled"
        })
        let deleted = try C.request("DELETE", "\(f.base)/v1/datasets/busy")
        #expect(deleted.status == 204)
        #expect(try C.request("GET", "\(f.base)/v1/datasets/busy").status == 404)
        #expect(!FileManager.default.fileExists(atPath: f.root.appendingPathComponent("data/uploads/busy").path))
        #expect(try C.request("DELETE", "\(f.base)/v1/datasets/busy").status == 404)
    }
}
