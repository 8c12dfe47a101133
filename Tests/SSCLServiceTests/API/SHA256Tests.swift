import Foundation
import Testing
@testable import SSCLService

/// FIPS 180-4 test vectors, whole and fed in uneven pieces (uploads are hashed a chunk at a time).
@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func piecesGiveTheSameDigestAsTheWhole() {
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var hasher = SHA256()
        var offset = 0
        for size in [1, 63, 64, 65, 127, 1000, 4096].cycled(until: million.count) {
            let end = min(million.count, offset + size)
            hasher.update(million[offset..<end])
            offset = end
            if offset == million.count { break }
        }
        #expect(hasher.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

private extension Array {
    /// The elements over and over, enough times to sum past `total` for sizes.
    func cycled(until total: Int) -> [Element] {
        var out: [Element] = []
        while out.count < total { out += self }
        return out
    }
}
