/// What an uploaded archive may unpack to, so a small upload cannot fill the disk (a zip
/// bomb) or the inode table.
public struct ArchiveLimits: Sendable, Equatable {
    /// Files and folders in one archive.
    public var maxEntries = 200_000
    /// Unpacked bytes per byte of archive. Images (PNG, JPEG) are compressed already, so a real
    /// image folder unpacks to about its own size; 100 leaves room for uncompressed BMP-like
    /// data and refuses the thousandfold ratios of bombs.
    public var maxExpansionRatio = 100
    /// Unpacked bytes in all, whatever the ratio.
    public var maxExtractedBytes = 16 << 30

    public init(maxEntries: Int = 200_000, maxExpansionRatio: Int = 100, maxExtractedBytes: Int = 16 << 30) {
        self.maxEntries = maxEntries
        self.maxExpansionRatio = maxExpansionRatio
        self.maxExtractedBytes = maxExtractedBytes
    }

    /// The unpacked bytes allowed for an archive of `archiveBytes`.
    func allowedBytes(archiveBytes: Int) -> Int {
        let (product, overflow) = max(archiveBytes, 1).multipliedReportingOverflow(by: maxExpansionRatio)
        return overflow ? maxExtractedBytes : min(product, maxExtractedBytes)
    }
}
