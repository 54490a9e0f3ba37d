// Fuzz target: HPACKDecoder. Built by Tests/Fuzz/run.sh together with Sources/HPACK as one module.
// The first byte picks the table size limit, the header list limit and where the rest is cut into
// two header blocks decoded in order by one decoder (so the second block meets a table the first
// built). Invariants beyond "no crash":
// - decoding is deterministic: a copy of the decoder fed the same blocks gives the same lists,
//   errors and tables;
// - an error names a byte inside its block; after a connection error every block is refused;
// - the table never holds more than its maximum size, nor that more than the limit;
// - a decoded list is within the header list limit;
// - what decodes re-encodes (HPACKEncoder) to a block a fresh decoder turns into the same list;
// - the input read as one Huffman string decodes the same through the nibble table and bit by bit.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHPACKDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    checkHuffman(input)
    guard let control = input.first else { return 0 }
    let limits = [0, 64, 256, 4096]
    let tableLimit = limits[Int(control & 0x03)]
    let listLimit = (control & 0x04) == 0 ? 512 : 64 * 1024
    let rest = Array(input.dropFirst())
    let cut = rest.isEmpty ? 0 : Int(control >> 3) % (rest.count + 1)
    let blocks = [Array(rest[..<cut]), Array(rest[cut...])]

    var decoder = HPACKDecoder(maxTableSizeLimit: tableLimit, maxHeaderListSize: listLimit)
    var twin = decoder
    var failed = false
    for block in blocks {
        let result = Result { () throws(HPACKError) in try decoder.decode(block) }
        let again = Result { () throws(HPACKError) in try twin.decode(block) }
        if result != again { fuzzFailure("the same block gave \(result), then \(again)") }
        if decoder.table.entries != twin.table.entries || decoder.table.size != twin.table.size {
            fuzzFailure("the same block left different tables")
        }
        let table = decoder.table
        if table.size > table.maxSize || table.maxSize > tableLimit {
            fuzzFailure("table size \(table.size), max \(table.maxSize), limit \(tableLimit)")
        }
        if table.entries.reduce(0, { $0 + $1.size }) != table.size { fuzzFailure("table size is not the sum of its entries") }
        switch result {
        case .success(let fields):
            if failed { fuzzFailure("a failed decoder decoded a block") }
            let listSize = fields.reduce(0) { $0 + $1.size }
            if listSize > listLimit { fuzzFailure("a list of \(listSize) bytes passed the limit \(listLimit)") }
            checkReencoding(fields)
        case .failure(let error):
            if error.offset < 0 || error.offset > block.count {
                fuzzFailure("error offset \(error.offset) outside 0...\(block.count): \(error)")
            }
            if failed && error.kind != .decoderFailed { fuzzFailure("a failed decoder threw \(error)") }
            if error.isConnectionError { failed = true }
        }
    }
    return 0
}

/// Decodes `coded` as a Huffman string both ways: the same bytes or the same error.
func checkHuffman(_ coded: [UInt8]) {
    let a = Result { () throws(HPACKError) in try Huffman.decode(coded[...], offset: 0) }
    let b = Result { () throws(HPACKError) in try Huffman.decodeBitByBit(coded[...], offset: 0) }
    if a != b { fuzzFailure("Huffman: nibble table \(a), bit by bit \(b)") }
    if case .success(let fast) = a {
        var again: [UInt8] = []
        Huffman.encode(fast, into: &again)
        // A valid coding is the canonical one: padding is fixed, so encoding gives the input back.
        if again != coded { fuzzFailure("Huffman: \(coded) decodes to \(fast), which encodes to \(again)") }
    }
}

/// Encodes `fields` with a fresh encoder and decodes them with a fresh decoder: the same names,
/// values and never-indexed flags (as the encoder chose them) must come back.
func checkReencoding(_ fields: [HeaderField]) {
    var encoder = HPACKEncoder()
    var decoder = HPACKDecoder(maxHeaderListSize: Int.max)
    let block = encoder.encode(fields)
    do {
        let decoded = try decoder.decode(block)
        let expected = fields.map { HeaderField(name: $0.name, value: $0.value, isNeverIndexed: $0.isNeverIndexed || encoder.isSensitive($0)) }
        if decoded != expected { fuzzFailure("re-encoded \(fields) decoded as \(decoded)") }
        if decoder.table.entries != encoder.table.entries { fuzzFailure("re-encoding left the tables apart") }
    } catch {
        fuzzFailure("re-encoded block refused: \(error)")
    }
}

/// Stops the run with a message the fuzzer saves next to the input that caused it.
func fuzzFailure(_ message: String) -> Never {
    fatalError("fuzz invariant broken: \(message)")
}
