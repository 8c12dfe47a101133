/// An image folder in the torchvision `ImageFolder` layout: `path/<class>/<file>.png|jpg|jpeg`,
/// or `path/train/<class>/...` with an optional `path/test/<class>/...` (see
/// `DatasetLoader+ImageFolder.swift`). Every image is converted to `channels` and resized to
/// `imageSize` x `imageSize`.
public struct ImageFolderSpec: Sendable, Equatable {
    public var path: String
    /// The side of the square every image is resized to (bilinear).
    public var imageSize: Int = 32
    /// 1 (grey: RGB images become ITU-R BT.601 luma) or 3 (RGB: grey images are replicated).
    /// 3 by default, as torchvision's loader converts every image to RGB.
    public var channels: Int = 3
    /// Skip (and count) files that are not readable PNG or JPEG images instead of failing.
    public var skipBad: Bool = false

    public init(path: String, imageSize: Int = 32, channels: Int = 3, skipBad: Bool = false) {
        self.path = path
        self.imageSize = imageSize
        self.channels = channels
        self.skipBad = skipBad
    }

    /// The accepted `image_size` range: large enough for a 3x3 kernel, small enough that one
    /// image stays a few megabytes of floats.
    public static let imageSizes = 4...1024
    public static let channelCounts = [1, 3]
}
