/// A growable raw buffer owned by one layer or loss instance and reused between calls, so a
/// training step does not reallocate its large temporaries. Contents are not kept when it
/// grows (new elements start at `zero`).
final class ScratchBuffer<Element> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var capacity: Int
    private let zero: Element

    init(_ zero: Element) {
        self.zero = zero
        capacity = 1
        base = .allocate(capacity: 1)
        base.initialize(to: zero)
    }

    /// A pointer to at least `count` elements.
    @discardableResult
    func reserve(_ count: Int) -> UnsafeMutablePointer<Element> {
        if count > capacity {
            base.deinitialize(count: capacity)
            base.deallocate()
            base = .allocate(capacity: count)
            base.initialize(repeating: zero, count: count)
            capacity = count
        }
        return base
    }

    deinit {
        base.deinitialize(count: capacity)
        base.deallocate()
    }
}
