extension DecodedImage {
    /// The image as one model row: `channels` planes of its samples times `scale`, resized to
    /// `height` x `width` (`ImageResizer`). Image folders and the service's image inputs both
    /// go through here, so a served image is preprocessed exactly as a training one.
    public func row(channels: Int, scale: Float, height toHeight: Int, width toWidth: Int) -> [Float] {
        ImageResizer.resize(planes(channels: channels, scale: scale), channels: channels, height: height,
                            width: width, toHeight: toHeight, toWidth: toWidth)
    }
}
