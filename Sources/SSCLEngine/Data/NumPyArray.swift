import Foundation

/// One array of a NumPy `.npy` file (format versions 1, 2 and 3), the form Python users hold
/// their arrays in: a magic string, a header that is a Python dict literal
/// (`{'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), }`), then the raw values.
/// Spec: numpy.lib.format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
///
/// Only C-order arrays of plain numbers are read; anything else is refused with the reason.
public struct NumPyArray: Sendable, Equatable {
    /// The element types read: float32/float64, unsigned and signed integers, booleans.
    public enum ElementType: String, Sendable, Equatable {
        case float32 = "f4", float64 = "f8", float16 = "f2"
        case uint8 = "u1", uint16 = "u2", uint32 = "u4", uint64 = "u8"
        case int8 = "i1", int16 = "i2", int32 = "i4", int64 = "i8"
        case bool = "b1"

        var byteCount: Int { Int(String(rawValue.dropFirst()))! }
        var isInteger: Bool { self != .float32 && self != .float64 && self != .float16 }
    }

    public var shape: [Int]
    public var elementType: ElementType
    /// Every element as a Double, in C (row-major) order. Doubles hold every int32 and every
    /// float exactly; int64 beyond 2^53 is rounded (labels never are that large).
    public var values: [Double]

    public var count: Int { shape.reduce(1, *) }

    public init(shape: [Int], elementType: ElementType, values: [Double]) {
        self.shape = shape
        self.elementType = elementType
        self.values = values
    }

    /// Parses a whole `.npy` file; `name` is used in errors.
    public static func parse(_ data: Data, name: String) throws -> NumPyArray {
        let bytes = [UInt8](data)
        func fail(_ problem: String) -> DatasetError { DatasetError(file: name, problem) }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw fail("not a NumPy .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("the file ends inside its header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail("unknown .npy format version \(major)")
        }
        guard headerLength <= bytes.count - headerStart else { throw fail("the file ends inside its header") }
        let headerBytes = bytes[headerStart..<(headerStart + headerLength)]
        guard let header = String(bytes: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw fail("the header is not text")
        }
        let fields = try Header.parse(header, file: name)
        guard !fields.fortranOrder else {
            throw fail("the array is in Fortran order; save it in C order (np.ascontiguousarray) and try again")
        }
        let descr = fields.descr
        guard let first = descr.first, "<>|=".contains(first) else { throw fail("unsupported dtype '\(descr)'") }
        guard let type = ElementType(rawValue: String(descr.dropFirst())) else {
            throw fail("unsupported dtype '\(descr)': use float32, float64, an integer type or bool")
        }
        let bigEndian = first == ">" && type.byteCount > 1
        var count = 1
        for d in fields.shape {
            guard d >= 0 else { throw fail("negative dimension in shape \(fields.shape)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw fail("shape \(fields.shape) is too large") }
            count = product
        }
        let dataStart = headerStart + headerLength
        let (needed, overflow) = count.multipliedReportingOverflow(by: type.byteCount)
        guard !overflow, needed <= bytes.count - dataStart else {
            throw fail("shape \(fields.shape) of \(descr) needs \(needed) bytes of data but the file has \(bytes.count - dataStart)")
        }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawBufferPointer(buffer).baseAddress! + dataStart
            for i in 0..<count {
                let p = base + i * type.byteCount
                values[i] = read(type, at: p, bigEndian: bigEndian)
            }
        }
        return NumPyArray(shape: fields.shape, elementType: type, values: values)
    }

    private static func read(_ type: ElementType, at p: UnsafeRawPointer, bigEndian: Bool) -> Double {
        func load<T: FixedWidthInteger>(_: T.Type) -> T {
            let raw = p.loadUnaligned(as: T.self)
            return bigEndian ? T(bigEndian: raw) : T(littleEndian: raw)
        }
        switch type {
        case .float32: return Double(Float(bitPattern: load(UInt32.self)))
        case .float64: return Double(bitPattern: load(UInt64.self))
        case .float16:
            #if arch(x86_64) || arch(arm64)
            return Double(Float16(bitPattern: load(UInt16.self)))
            #else
            return .nan
            #endif
        case .uint8: return Double(load(UInt8.self))
        case .uint16: return Double(load(UInt16.self))
        case .uint32: return Double(load(UInt32.self))
        case .uint64: return Double(load(UInt64.self))
        case .int8: return Double(load(Int8.self))
        case .int16: return Double(load(Int16.self))
        case .int32: return Double(load(Int32.self))
        case .int64: return Double(load(Int64.self))
        case .bool: return load(UInt8.self) == 0 ? 0 : 1
        }
    }

    /// The three keys of the header dict. NumPy writes them with `repr`, so a small literal
    /// reader suffices: quoted strings, True/False, and a tuple of integers.
    struct Header {
        var descr: String
        var fortranOrder: Bool
        var shape: [Int]

        static func parse(_ text: String, file: String) throws -> Header {
            func value(of key: String) throws -> Substring {
                for quote in ["'", "\""] {
                    if let r = text.range(of: "\(quote)\(key)\(quote)") {
                        let rest = text[r.upperBound...].drop { $0 == " " }
                        guard rest.first == ":" else { break }
                        return rest.dropFirst().drop { $0 == " " }
                    }
                }
                throw DatasetError(file: file, "the .npy header has no '\(key)'")
            }
            let descrText = try value(of: "descr")
            guard let quote = descrText.first, quote == "'" || quote == "\"",
                  let end = descrText.dropFirst().firstIndex(of: quote)
            else { throw DatasetError(file: file, "unsupported dtype (a structured array?)") }
            let descr = String(descrText[descrText.index(after: descrText.startIndex)..<end])
            let fortran = try value(of: "fortran_order")
            let fortranOrder: Bool
            if fortran.hasPrefix("True") { fortranOrder = true }
            else if fortran.hasPrefix("False") { fortranOrder = false }
            else { throw DatasetError(file: file, "fortran_order is neither True nor False") }
            let shapeText = try value(of: "shape")
            guard shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else {
                throw DatasetError(file: file, "the .npy header's shape is not a tuple")
            }
            var shape: [Int] = []
            for part in shapeText[shapeText.index(after: shapeText.startIndex)..<close].split(separator: ",") {
                let t = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
                if t.isEmpty { continue }
                guard let n = Int(t) else { throw DatasetError(file: file, "the .npy shape has an entry that is not an integer") }
                shape.append(n)
            }
            return Header(descr: descr, fortranOrder: fortranOrder, shape: shape)
        }
    }
}
