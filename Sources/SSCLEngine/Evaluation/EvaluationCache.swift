import Foundation

/// Remembers baseline scores that depend only on their inputs, keyed by a `ContentHash` of
/// exactly those inputs: the raw-input kNN (a property of the dataset and of k and t; on
/// Fashion-MNIST a 784-d whole-split kNN, 0.9 TFLOP) and the random-initialised encoder's kNN
/// and probe (the same representations for every job with the same model, seed and data).
/// A hit returns the number the same computation gave before; any change to the data, labels,
/// representations or protocol changes the key, so a stale entry is never read.
///
/// One small JSON file per entry, written atomically, so concurrent jobs may share the folder;
/// a folder that cannot be read or written only costs the computation.
public struct EvaluationCache: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// `$SSCL_CACHE_DIR/evaluation`, else `$XDG_CACHE_HOME/sscl/evaluation`, else
    /// `~/.cache/sscl/evaluation`; nil (no cache) when `SSCL_CACHE_DIR` is set to "" or "off".
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> EvaluationCache? {
        let base: URL
        if let dir = environment["SSCL_CACHE_DIR"] {
            guard !dir.isEmpty, dir != "off" else { return nil }
            base = URL(fileURLWithPath: dir, isDirectory: true)
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            base = URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("sscl")
        } else if let home = environment["HOME"], !home.isEmpty {
            base = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".cache/sscl")
        } else {
            return nil
        }
        return EvaluationCache(directory: base.appendingPathComponent("evaluation", isDirectory: true))
    }

    private struct Entry: Codable {
        var key: String
        /// What was computed, for a person reading the folder.
        var what: String
        var value: Double
    }

    private func url(_ key: String) -> URL { directory.appendingPathComponent("\(key).json") }

    /// The stored value for `key`, if any.
    public func value(for key: String) -> Double? {
        guard let data = try? Data(contentsOf: url(key)),
              let entry = try? JSONDecoder().decode(Entry.self, from: data), entry.key == key,
              entry.value.isFinite else { return nil }
        return entry.value
    }

    /// Stores `value` under `key`; false when the folder cannot be written.
    @discardableResult
    public func store(_ value: Double, for key: String, what: String) -> Bool {
        guard value.isFinite else { return false }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let data = try JSONEncoder().encode(Entry(key: key, what: what, value: value))
            try AtomicFile.write([UInt8](data), to: url(key))
            return true
        } catch {
            return false
        }
    }

    /// The cached value for `key`, else `compute()` stored under it. `hit` says which.
    public func value(for key: String, what: String, compute: () -> Double) -> (value: Double, hit: Bool) {
        if let cached = value(for: key) { return (cached, true) }
        let fresh = compute()
        store(fresh, for: key, what: what)
        return (fresh, false)
    }
}
