// RFC 7541 §5.2 and Appendix B: the static Huffman code string literals may be written in.

/// Huffman encodes and decodes HPACK's static Huffman code. Decoding refuses what §5.2 says is an
/// error: the EOS symbol inside a string, padding longer than 7 bits, padding that is not all ones.
public enum Huffman {
    /// Appends the Huffman coding of `bytes`, padded to a whole byte with the high bits of EOS (ones).
    public static func encode(_ bytes: [UInt8], into output: inout [UInt8]) {
        encode(bytes, count: encodedCount(bytes), into: &output)
    }

    /// Appends the Huffman coding of `bytes`, `count` being `encodedCount(bytes)`: the bytes are
    /// reserved at once and written in place, not appended one at a time.
    static func encode(_ bytes: [UInt8], count: Int, into output: inout [UInt8]) {
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: count))
        output.withUnsafeMutableBufferPointer { buffer in
            HuffmanTable.codes.withUnsafeBufferPointer { codes in
                var position = start
                var pending: UInt64 = 0   // the low `pendingBits` bits are not written yet
                var pendingBits: UInt64 = 0
                for byte in bytes {
                    let (code, length) = codes[Int(byte)]
                    pending = (pending << UInt64(length)) | UInt64(code)
                    pendingBits += UInt64(length)
                    while pendingBits >= 8 {
                        pendingBits -= 8
                        buffer[position] = UInt8(truncatingIfNeeded: pending >> pendingBits)
                        position += 1
                    }
                    pending &= (1 << pendingBits) - 1
                }
                if pendingBits > 0 {
                    let padBits = 8 - pendingBits
                    buffer[position] = UInt8(truncatingIfNeeded: (pending << padBits) | ((1 << padBits) - 1))
                    position += 1
                }
                precondition(position == start + count, "Huffman.encode: count \(count) is not the coding's length")
            }
        }
    }

    /// The bytes `encode` would append for `bytes`: their codes' bits, rounded up to a whole byte.
    public static func encodedCount(_ bytes: [UInt8]) -> Int {
        HuffmanTable.codes.withUnsafeBufferPointer { codes in
            var bits = 0
            for byte in bytes { bits += Int(codes[Int(byte)].length) }
            return (bits + 7) / 8
        }
    }

    /// The decoding of `coded`. `offset` is where the string starts in its header block, for the
    /// error. Reads four bits at a time through `HuffmanTable.nibbles` (two table reads a byte, no
    /// branch for "did these bits end a symbol"); the bits after the last whole symbol must be 7 or
    /// fewer, all ones (§5.2).
    static func decode(_ coded: ArraySlice<UInt8>, offset: Int) throws(HPACKError) -> [UInt8] {
        var node = 0
        var flags: UInt8 = 0
        // No code is shorter than 5 bits, and every symbol is read from the root: at most 8/5
        // symbols a byte. One more slot, because each step writes its symbol before counting it (or not).
        let capacity = coded.count * 8 / 5 + 1
        let decoded = [UInt8](unsafeUninitializedCapacity: capacity) { output, count in
            HuffmanTable.nibbles.withUnsafeBufferPointer { steps in
                for byte in coded {
                    let high = steps[node << 4 | Int(byte >> 4)]
                    output[count] = high.symbol
                    count += Int(high.flags & HuffmanTable.Step.emits)
                    let low = steps[Int(high.next) << 4 | Int(byte & 0x0f)]
                    output[count] = low.symbol
                    count += Int(low.flags & HuffmanTable.Step.emits)
                    flags |= high.flags | low.flags
                    node = Int(low.next)
                }
            }
        }
        if flags & HuffmanTable.Step.fails != 0 {
            throw HPACKError(kind: .huffmanEOS, offset: offset, detail: "a Huffman string holds the EOS symbol")
        }
        try checkPadding(endingAt: node, offset: offset)
        return decoded
    }

    /// The same decoding, a bit at a time down the tree: the plain reading of §5.2 that the nibble
    /// table is built from, kept so tests (and the fuzz target) can hold the two side by side.
    static func decodeBitByBit(_ coded: ArraySlice<UInt8>, offset: Int) throws(HPACKError) -> [UInt8] {
        let tree = HuffmanTable.tree
        var output: [UInt8] = []
        var node = 0
        for byte in coded {
            var mask: UInt8 = 0x80
            while mask != 0 {
                let next = Int(byte & mask != 0 ? tree[node].one : tree[node].zero)
                mask >>= 1
                if next >= 0 {
                    node = next
                    continue
                }
                let symbol = -next - 1
                if symbol == HuffmanTable.eos {
                    throw HPACKError(kind: .huffmanEOS, offset: offset, detail: "a Huffman string holds the EOS symbol")
                }
                output.append(UInt8(symbol))
                node = 0
            }
        }
        try checkPadding(endingAt: node, offset: offset)
        return output
    }

    /// The string ended at tree node `node`: the bits since the last whole symbol are the path from
    /// the root to it. §5.2: at most 7 of them, all ones.
    private static func checkPadding(endingAt node: Int, offset: Int) throws(HPACKError) {
        let path = HuffmanTable.paths[node]
        if path.depth > 7 {
            throw HPACKError(kind: .huffmanPaddingTooLong, offset: offset,
                             detail: "a Huffman string ends with \(path.depth) bits that are not a whole symbol")
        }
        if !path.isAllOnes {
            throw HPACKError(kind: .huffmanPaddingNotOnes, offset: offset,
                             detail: "a Huffman string ends with padding that is not all ones")
        }
    }
}

/// HuffmanTable holds RFC 7541 Appendix B and the decoding tree built from it.
enum HuffmanTable {
    /// The EOS symbol: 30 ones, only ever seen (in part) as padding.
    static let eos = 256

    /// Appendix B, symbol by symbol: the code, right-aligned, and its length in bits. Four symbols a
    /// row, each row commented with its first symbol, to read against the RFC. The code is canonical
    /// (codes of one length are consecutive, in symbol order): HuffmanTests checks that, so a mistyped
    /// row fails a test.
    static let codes: [(code: UInt32, length: UInt8)] = [
        (0x1ff8, 13), (0x7fffd8, 23), (0xfffffe2, 28), (0xfffffe3, 28),               // 0
        (0xfffffe4, 28), (0xfffffe5, 28), (0xfffffe6, 28), (0xfffffe7, 28),           // 4
        (0xfffffe8, 28), (0xffffea, 24), (0x3ffffffc, 30), (0xfffffe9, 28),           // 8
        (0xfffffea, 28), (0x3ffffffd, 30), (0xfffffeb, 28), (0xfffffec, 28),          // 12
        (0xfffffed, 28), (0xfffffee, 28), (0xfffffef, 28), (0xffffff0, 28),           // 16
        (0xffffff1, 28), (0xffffff2, 28), (0x3ffffffe, 30), (0xffffff3, 28),          // 20
        (0xffffff4, 28), (0xffffff5, 28), (0xffffff6, 28), (0xffffff7, 28),           // 24
        (0xffffff8, 28), (0xffffff9, 28), (0xffffffa, 28), (0xffffffb, 28),           // 28
        (0x14, 6), (0x3f8, 10), (0x3f9, 10), (0xffa, 12),                             // 32 ' ' ! " #
        (0x1ff9, 13), (0x15, 6), (0xf8, 8), (0x7fa, 11),                              // 36 $ % & '
        (0x3fa, 10), (0x3fb, 10), (0xf9, 8), (0x7fb, 11),                             // 40 ( ) * +
        (0xfa, 8), (0x16, 6), (0x17, 6), (0x18, 6),                                   // 44 , - . /
        (0x0, 5), (0x1, 5), (0x2, 5), (0x19, 6),                                      // 48 0 1 2 3
        (0x1a, 6), (0x1b, 6), (0x1c, 6), (0x1d, 6),                                   // 52 4 5 6 7
        (0x1e, 6), (0x1f, 6), (0x5c, 7), (0xfb, 8),                                   // 56 8 9 : ;
        (0x7ffc, 15), (0x20, 6), (0xffb, 12), (0x3fc, 10),                            // 60 < = > ?
        (0x1ffa, 13), (0x21, 6), (0x5d, 7), (0x5e, 7),                                // 64 @ A B C
        (0x5f, 7), (0x60, 7), (0x61, 7), (0x62, 7),                                   // 68 D E F G
        (0x63, 7), (0x64, 7), (0x65, 7), (0x66, 7),                                   // 72 H I J K
        (0x67, 7), (0x68, 7), (0x69, 7), (0x6a, 7),                                   // 76 L M N O
        (0x6b, 7), (0x6c, 7), (0x6d, 7), (0x6e, 7),                                   // 80 P Q R S
        (0x6f, 7), (0x70, 7), (0x71, 7), (0x72, 7),                                   // 84 T U V W
        (0xfc, 8), (0x73, 7), (0xfd, 8), (0x1ffb, 13),                                // 88 X Y Z [
        (0x7fff0, 19), (0x1ffc, 13), (0x3ffc, 14), (0x22, 6),                         // 92 \ ] ^ _
        (0x7ffd, 15), (0x3, 5), (0x23, 6), (0x4, 5),                                  // 96 ` a b c
        (0x24, 6), (0x5, 5), (0x25, 6), (0x26, 6),                                    // 100 d e f g
        (0x27, 6), (0x6, 5), (0x74, 7), (0x75, 7),                                    // 104 h i j k
        (0x28, 6), (0x29, 6), (0x2a, 6), (0x7, 5),                                    // 108 l m n o
        (0x2b, 6), (0x76, 7), (0x2c, 6), (0x8, 5),                                    // 112 p q r s
        (0x9, 5), (0x2d, 6), (0x77, 7), (0x78, 7),                                    // 116 t u v w
        (0x79, 7), (0x7a, 7), (0x7b, 7), (0x7ffe, 15),                                // 120 x y z {
        (0x7fc, 11), (0x3ffd, 14), (0x1ffd, 13), (0xffffffc, 28),                     // 124 | } ~ DEL
        (0xfffe6, 20), (0x3fffd2, 22), (0xfffe7, 20), (0xfffe8, 20),                  // 128
        (0x3fffd3, 22), (0x3fffd4, 22), (0x3fffd5, 22), (0x7fffd9, 23),               // 132
        (0x3fffd6, 22), (0x7fffda, 23), (0x7fffdb, 23), (0x7fffdc, 23),               // 136
        (0x7fffdd, 23), (0x7fffde, 23), (0xffffeb, 24), (0x7fffdf, 23),               // 140
        (0xffffec, 24), (0xffffed, 24), (0x3fffd7, 22), (0x7fffe0, 23),               // 144
        (0xffffee, 24), (0x7fffe1, 23), (0x7fffe2, 23), (0x7fffe3, 23),               // 148
        (0x7fffe4, 23), (0x1fffdc, 21), (0x3fffd8, 22), (0x7fffe5, 23),               // 152
        (0x3fffd9, 22), (0x7fffe6, 23), (0x7fffe7, 23), (0xffffef, 24),               // 156
        (0x3fffda, 22), (0x1fffdd, 21), (0xfffe9, 20), (0x3fffdb, 22),                // 160
        (0x3fffdc, 22), (0x7fffe8, 23), (0x7fffe9, 23), (0x1fffde, 21),               // 164
        (0x7fffea, 23), (0x3fffdd, 22), (0x3fffde, 22), (0xfffff0, 24),               // 168
        (0x1fffdf, 21), (0x3fffdf, 22), (0x7fffeb, 23), (0x7fffec, 23),               // 172
        (0x1fffe0, 21), (0x1fffe1, 21), (0x3fffe0, 22), (0x1fffe2, 21),               // 176
        (0x7fffed, 23), (0x3fffe1, 22), (0x7fffee, 23), (0x7fffef, 23),               // 180
        (0xfffea, 20), (0x3fffe2, 22), (0x3fffe3, 22), (0x3fffe4, 22),                // 184
        (0x7ffff0, 23), (0x3fffe5, 22), (0x3fffe6, 22), (0x7ffff1, 23),               // 188
        (0x3ffffe0, 26), (0x3ffffe1, 26), (0xfffeb, 20), (0x7fff1, 19),               // 192
        (0x3fffe7, 22), (0x7ffff2, 23), (0x3fffe8, 22), (0x1ffffec, 25),              // 196
        (0x3ffffe2, 26), (0x3ffffe3, 26), (0x3ffffe4, 26), (0x7ffffde, 27),           // 200
        (0x7ffffdf, 27), (0x3ffffe5, 26), (0xfffff1, 24), (0x1ffffed, 25),            // 204
        (0x7fff2, 19), (0x1fffe3, 21), (0x3ffffe6, 26), (0x7ffffe0, 27),              // 208
        (0x7ffffe1, 27), (0x3ffffe7, 26), (0x7ffffe2, 27), (0xfffff2, 24),            // 212
        (0x1fffe4, 21), (0x1fffe5, 21), (0x3ffffe8, 26), (0x3ffffe9, 26),             // 216
        (0xffffffd, 28), (0x7ffffe3, 27), (0x7ffffe4, 27), (0x7ffffe5, 27),           // 220
        (0xfffec, 20), (0xfffff3, 24), (0xfffed, 20), (0x1fffe6, 21),                 // 224
        (0x3fffe9, 22), (0x1fffe7, 21), (0x1fffe8, 21), (0x7ffff3, 23),               // 228
        (0x3fffea, 22), (0x3fffeb, 22), (0x1ffffee, 25), (0x1ffffef, 25),             // 232
        (0xfffff4, 24), (0xfffff5, 24), (0x3ffffea, 26), (0x7ffff4, 23),              // 236
        (0x3ffffeb, 26), (0x7ffffe6, 27), (0x3ffffec, 26), (0x3ffffed, 26),           // 240
        (0x7ffffe7, 27), (0x7ffffe8, 27), (0x7ffffe9, 27), (0x7ffffea, 27),           // 244
        (0x7ffffeb, 27), (0xffffffe, 28), (0x7ffffec, 27), (0x7ffffed, 27),           // 248
        (0x7ffffee, 27), (0x7ffffef, 27), (0x7fffff0, 27), (0x3ffffee, 26),           // 252
        (0x3fffffff, 30),                                                             // 256 EOS
    ]

    /// A node of the decoding tree: for each bit, the next node's index, or a leaf as -(symbol + 1).
    struct Node {
        var zero: Int16 = 0
        var one: Int16 = 0
    }

    /// The decoding tree, root at 0. The code is complete (every bit string is a prefix of some code
    /// or starts with one), so every node has both children: 256 internal nodes for 257 leaves.
    static let tree: [Node] = {
        var nodes = [Node()]
        for (symbol, entry) in codes.enumerated() {
            var node = 0
            for position in stride(from: Int(entry.length) - 1, through: 0, by: -1) {
                let bit = (entry.code >> UInt32(position)) & 1 == 1
                let child = bit ? nodes[node].one : nodes[node].zero
                if position == 0 {
                    precondition(child == 0, "Huffman code of symbol \(symbol) is the prefix of another")
                    if bit { nodes[node].one = Int16(-(symbol + 1)) } else { nodes[node].zero = Int16(-(symbol + 1)) }
                } else if child > 0 {
                    node = Int(child)
                } else {
                    precondition(child == 0, "Huffman code of symbol \(symbol) starts with another")
                    nodes.append(Node())
                    let created = Int16(nodes.count - 1)
                    if bit { nodes[node].one = created } else { nodes[node].zero = created }
                    node = Int(created)
                }
            }
        }
        return nodes
    }()

    /// For each tree node, the path from the root to it: how many bits, and whether all are ones.
    /// Where a string ends decides if its padding is valid.
    static let paths: [(depth: Int, isAllOnes: Bool)] = {
        var paths = [(depth: Int, isAllOnes: Bool)](repeating: (0, true), count: tree.count)
        // Children are created after their parents, so one pass in index order sees every parent first.
        for (index, node) in tree.enumerated() {
            if node.zero > 0 { paths[Int(node.zero)] = (paths[index].depth + 1, false) }
            if node.one > 0 { paths[Int(node.one)] = (paths[index].depth + 1, paths[index].isAllOnes) }
        }
        return paths
    }()

    /// What four bits do from one tree node: the node they lead to, and the symbol they complete, if
    /// any. No code is shorter than 5 bits, so four bits complete at most one symbol.
    struct Step {
        static let emits: UInt8 = 1
        /// The bits reach EOS: an error wherever it is.
        static let fails: UInt8 = 2
        var next: UInt8
        var symbol: UInt8
        var flags: UInt8
    }

    /// `nibbles[node << 4 | bits]`: the tree walked four bits at a time, precomputed for each of the
    /// 256 internal nodes and 16 nibbles from `tree` itself.
    static let nibbles: [Step] = {
        var steps: [Step] = []
        steps.reserveCapacity(tree.count * 16)
        for start in 0..<tree.count {
            for nibble in 0..<16 {
                var node = start
                var step = Step(next: 0, symbol: 0, flags: 0)
                for position in stride(from: 3, through: 0, by: -1) {
                    let next = Int((nibble >> position) & 1 == 1 ? tree[node].one : tree[node].zero)
                    if next >= 0 {
                        node = next
                        continue
                    }
                    let symbol = -next - 1
                    if symbol == eos {
                        // Back to the root: the string is refused anyway, and from the root every
                        // symbol takes 5 bits or more, which bounds what `decode` writes.
                        step.flags |= Step.fails
                        node = 0
                        break
                    }
                    step.symbol = UInt8(symbol)
                    step.flags |= Step.emits
                    node = 0
                }
                step.next = UInt8(node)
                steps.append(step)
            }
        }
        return steps
    }()
}
