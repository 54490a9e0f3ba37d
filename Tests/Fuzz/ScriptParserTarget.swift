// Fuzz target: the lab script parser (lexer and parser, statements and expressions), on any bytes
// read as UTF-8. Built with Sources/LabScript as one module. What it looks for: crashes, hangs and
// unbounded allocation (run.sh sets -timeout and -malloc_limit_mb).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScriptParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? LabScriptParser.parse(text)
    _ = try? LabScriptParser.parseExpression(text)
    return 0
}
