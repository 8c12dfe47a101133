import Foundation

/// The built-in datasets: where their files are and what they hold.
extension DatasetLoader {
    /// Zalando's Fashion-MNIST class names, in label order (github.com/zalandoresearch/fashion-mnist).
    static let fashionClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    static let digitClassNames = (0...9).map(String.init)

    /// Env `SSCL_FASHION_MNIST`, else where Debian's `dataset-fashion-mnist` installs it.
    static var fashionMNISTFolder: URL {
        let path = ProcessInfo.processInfo.environment["SSCL_FASHION_MNIST"] ?? "/usr/share/datasets/fashion-mnist"
        return URL(fileURLWithPath: path, isDirectory: true)
    }

    /// A folder under the engine's `Resources/datasets` (see `resourcesFolder`).
    static func resourceFolder(_ name: String) -> URL {
        let resources = resourcesFolder ?? URL(fileURLWithPath: "/nonexistent/sscl_SSCLEngine.resources/Resources")
        return resources.appendingPathComponent("datasets").appendingPathComponent(name, isDirectory: true)
    }

    /// The engine's resource bundle's `Resources` folder, found the way SwiftPM's
    /// `Bundle.module` finds it but without its `fatalError` when the bundle is missing (a
    /// binary copied without it), so built-ins then report "not available" instead of
    /// crashing. Order: env `SSCL_RESOURCES`, the bundle next to the executable (Linux and
    /// macOS layouts), then the source tree this file was compiled from.
    static let resourcesFolder: URL? = {
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["SSCL_RESOURCES"] {
            candidates.append(URL(fileURLWithPath: path, isDirectory: true))
        }
        var folders = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL { folders.append(executable.deletingLastPathComponent()) }
        for folder in folders {
            candidates.append(folder.appendingPathComponent("sscl_SSCLEngine.resources/Resources"))
            candidates.append(folder.appendingPathComponent("sscl_SSCLEngine.bundle/Contents/Resources/Resources"))
        }
        // Sources/SSCLEngine/Data/<this file> -> Sources/SSCLEngine/Resources
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("datasets").path) }
    }()

    static func builtinFolder(_ name: String) -> URL? {
        switch name {
        case "fashion-mnist": return fashionMNISTFolder
        case "fashion-mnist-mini": return resourceFolder("fashion-mnist-mini")
        case "digits": return resourceFolder("digits")
        default: return nil
        }
    }

    static func loadBuiltin(_ name: String, spec: DatasetSpec, seed: UInt64) throws -> Dataset {
        guard let folder = builtinFolder(name) else {
            throw DatasetError("unknown built-in dataset '\(name)'; built-ins are: \(builtinNames.joined(separator: ", "))")
        }
        if name == "fashion-mnist" && !FileManager.default.fileExists(atPath: folder.path) {
            throw DatasetError(file: folder.path, "Fashion-MNIST is not installed: run `apt-get install dataset-fashion-mnist` "
                               + "or set SSCL_FASHION_MNIST to a folder with its IDX files")
        }
        let isDigits = name == "digits"
        // UCI optdigits pixels count 0...16 pen strokes; Fashion-MNIST is 0...255 grey.
        let scale = spec.scale ?? (isDigits ? 1.0 / 16 : 1.0 / 255)
        return try loadIDX(folder: folder, name: name, scale: scale,
                           classNames: isDigits ? digitClassNames : fashionClassNames,
                           testFraction: spec.testFraction, seed: seed, within: nil)
    }

    /// The built-ins with their shapes and default-split counts, and whether the files exist here.
    public static func builtinInfo() -> [BuiltinDatasetInfo] {
        func available(_ folder: URL) -> Bool {
            IDXReader.locate("train-images-idx3-ubyte", in: folder) != nil
                && IDXReader.locate("train-labels-idx1-ubyte", in: folder) != nil
        }
        let fashion = fashionMNISTFolder, mini = resourceFolder("fashion-mnist-mini"), digits = resourceFolder("digits")
        return [
            BuiltinDatasetInfo(
                name: "fashion-mnist", summary: "Fashion-MNIST, 28x28 grey clothing images (MIT, Zalando SE)",
                imageShape: ImageShape(channels: 1, height: 28, width: 28), numClasses: 10,
                trainCount: 60000, testCount: 10000, hasOfficialTestSplit: true,
                location: fashion.path, available: available(fashion)),
            BuiltinDatasetInfo(
                name: "fashion-mnist-mini", summary: "100 train + 20 test Fashion-MNIST images per class (MIT, Zalando SE)",
                imageShape: ImageShape(channels: 1, height: 28, width: 28), numClasses: 10,
                trainCount: 1000, testCount: 200, hasOfficialTestSplit: true,
                location: mini.path, available: available(mini)),
            BuiltinDatasetInfo(
                name: "digits", summary: "1797 8x8 handwritten digits, UCI optdigits (CC BY 4.0, Alpaydin & Kaynak)",
                imageShape: ImageShape(channels: 1, height: 8, width: 8), numClasses: 10,
                trainCount: 1438, testCount: 359, hasOfficialTestSplit: false,
                location: digits.path, available: available(digits)),
        ]
    }
}
