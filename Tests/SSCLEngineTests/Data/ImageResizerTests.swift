import Testing
@testable import SSCLEngine

/// Expected values are worked out by hand from the convention (PIL's BILINEAR filter; for
/// enlarging, PyTorch's `interpolate(mode="bilinear", align_corners=False)`), not taken from
/// the code.
@Suite struct ImageResizerTests {
    private func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// 2x2 -> 4x4: output pixel i samples source position (i + 0.5) / 2 - 0.5 = -0.25, 0.25,
    /// 0.75, 1.25, clamped to [0, 1]: weights (1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1).
    /// Rows [0, 4] and [8, 16] become [0, 1, 3, 4] and [8, 10, 14, 16]; the middle rows mix
    /// them 0.75/0.25 and 0.25/0.75.
    @Test func enlargingTwoByTwoToFourByFour() {
        let out = ImageResizer.resize([0, 4, 8, 16], channels: 1, height: 2, width: 2, toHeight: 4, toWidth: 4)
        #expect(close(out, [
            0, 1, 3, 4,
            2, 3.25, 5.75, 7,
            6, 7.75, 11.25, 13,
            8, 10, 14, 16,
        ]), "\(out)")
    }

    /// 1x4 -> 1x2 (shrink by 2): the triangle widens to 2 pixels. Output 0 is centred at 1.0
    /// and reads inputs 0, 1, 2 at distances 0.5, 0.5, 1.5 (in pixel centres), weights
    /// 1 - d/2 = 0.75, 0.75, 0.25 -> 3/7, 3/7, 1/7; output 1 (centre 3.0) reads 1, 2, 3 with
    /// 1/7, 3/7, 3/7. On [0, 7, 14, 21]: (0·3 + 7·3 + 14)/7 = 5 and (7 + 14·3 + 21·3)/7 = 16.
    /// (Plain bilinear would read only 2 inputs each and give 3.5 and 17.5.)
    @Test func shrinkingAveragesOverTheShrinkFactor() {
        let out = ImageResizer.resize([0, 7, 14, 21], channels: 1, height: 1, width: 4, toHeight: 1, toWidth: 2)
        #expect(close(out, [5, 16]), "\(out)")
        // The same along the columns.
        let column = ImageResizer.resize([0, 7, 14, 21], channels: 1, height: 4, width: 1, toHeight: 2, toWidth: 1)
        #expect(close(column, [5, 16]), "\(column)")
    }

    /// 3 -> 2 (factor 1.5, support 1.5): output 0 is centred at 0.75 and reads inputs 0 and 1
    /// at distances 0.25 and 0.75, weights 1 - d/1.5 = 5/6 and 1/2 -> 5/8 and 3/8; output 1
    /// (centre 2.25) reads 1 and 2 with 3/8 and 5/8. On [0, 8, 16]: 3 and 13.
    @Test func shrinkingByAFractionalFactor() {
        let out = ImageResizer.resize([0, 8, 16], channels: 1, height: 1, width: 3, toHeight: 1, toWidth: 2)
        #expect(close(out, [3, 13]), "\(out)")
    }

    @Test func channelsAreResizedIndependently() {
        // Plane 0 as above, plane 1 constant, plane 2 the negation of plane 0.
        let planes: [Float] = [0, 4, 8, 16, 5, 5, 5, 5, 0, -4, -8, -16]
        let out = ImageResizer.resize(planes, channels: 3, height: 2, width: 2, toHeight: 4, toWidth: 4)
        let first: [Float] = [0, 1, 3, 4, 2, 3.25, 5.75, 7, 6, 7.75, 11.25, 13, 8, 10, 14, 16]
        #expect(close(Array(out[0..<16]), first))
        #expect(close(Array(out[16..<32]), [Float](repeating: 5, count: 16)))
        #expect(close(Array(out[32..<48]), first.map { -$0 }))
    }

    @Test func sameSizeIsTheIdentityAndOnePixelFillsTheSquare() {
        let x: [Float] = [1, 2, 3, 4, 5, 6]
        #expect(ImageResizer.resize(x, channels: 1, height: 2, width: 3, toHeight: 2, toWidth: 3) == x)
        #expect(close(ImageResizer.resize([7], channels: 1, height: 1, width: 1, toHeight: 3, toWidth: 3),
                      [Float](repeating: 7, count: 9)))
        // A 1x2 image to 2x2 is stretched, not cropped: the columns stay, the one row repeats.
        #expect(close(ImageResizer.resize([0, 10], channels: 1, height: 1, width: 2, toHeight: 2, toWidth: 2),
                      [0, 10, 0, 10]))
    }
}
